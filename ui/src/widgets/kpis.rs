//! Widget 5: key figures as tiles.

use dioxus::prelude::*;
use larder_protocol::widgets::KpiBoard;

#[component]
pub fn KpiTiles(board: KpiBoard) -> Element {
    rsx! {
        div { class: "kpis",
            for tile in board.tiles {
                div { key: "{tile.label}", class: "kpi",
                    p { class: "muted small", "{tile.label}" }
                    p { class: "kpi-value", "{format_value(tile.value)}{tile.unit}" }
                    p { class: if tile.delta_pct >= 0.0 { "delta up" } else { "delta down" },
                        "{format_delta(tile.delta_pct)}"
                    }
                }
            }
        }
    }
}

/// Large or whole numbers without decimals, others with one.
fn format_value(value: f64) -> String {
    if value.fract() == 0.0 || value.abs() >= 1000.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

fn format_delta(delta: f64) -> String {
    let arrow = if delta >= 0.0 { "▲" } else { "▼" };
    format!("{arrow} {:.1}%", delta.abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use larder_protocol::widgets::Kpi;

    #[test]
    fn formats_values_and_deltas() {
        assert_eq!(format_value(1200.0), "1200");
        assert_eq!(format_value(3.25), "3.2");
        assert_eq!(format_value(6124.3), "6124");
        assert_eq!(format_delta(-4.0), "▼ 4.0%");
        let board = KpiBoard {
            tiles: vec![Kpi {
                label: "Conversion".into(),
                value: 3.4,
                unit: "%".into(),
                delta_pct: 1.5,
            }],
        };
        let html = dioxus_ssr::render_element(rsx! { KpiTiles { board } });
        assert!(html.contains("3.4%") && html.contains("delta up") && html.contains("▲ 1.5%"));
    }
}
