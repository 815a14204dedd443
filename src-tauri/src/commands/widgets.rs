//! Widget commands: `get_widget`.

use larder_core::{CoreError, Larder};
use larder_protocol::{CommandError, WidgetEnvelope, WidgetId};
use tauri::State;

/// One widget's envelope. The id arrives as any integer so an unknown one
/// gets a typed `UnknownWidget` error, not a deserialisation failure.
#[tauri::command]
pub async fn get_widget(
    larder: State<'_, Larder>,
    id: i64,
) -> Result<WidgetEnvelope, CommandError> {
    let widget: WidgetId = id.to_string().parse().map_err(CoreError::from)?;
    Ok(larder.get_widget(widget).await?)
}
