//! Widget 3: the analytics time series as an SVG line chart with axes,
//! gridlines and labels. Drawn by hand: it is a few dozen lines of geometry,
//! and a charting crate would add far more wasm than it saves.

use dioxus::prelude::*;
use larder_protocol::widgets::AnalyticsSeries;

const WIDTH: f64 = 420.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 24.0;

/// The chart's geometry, computed from the series.
#[derive(Debug, Clone, PartialEq)]
struct ChartGeometry {
    /// The polyline's points, "x,y x,y …".
    line: String,
    /// The y-axis ticks: value and y position.
    ticks: Vec<(f64, f64)>,
    /// The x labels: text and x position (every other point).
    labels: Vec<(String, f64)>,
}

fn geometry(series: &AnalyticsSeries) -> ChartGeometry {
    let values: Vec<f64> = series.points.iter().map(|p| p.value).collect();
    let max = values.iter().copied().fold(f64::MIN, f64::max);
    let min = values.iter().copied().fold(f64::MAX, f64::min);
    // Axis from 0 to a round number above the maximum.
    let top_value = nice_ceiling(if max.is_finite() { max.max(min) } else { 1.0 });
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let step = if values.len() > 1 {
        plot_w / (values.len() - 1) as f64
    } else {
        0.0
    };
    let y_of = |v: f64| TOP + plot_h * (1.0 - v / top_value);
    let line = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", LEFT + step * i as f64, y_of(*v)))
        .collect::<Vec<_>>()
        .join(" ");
    let ticks = (0..=4)
        .map(|i| {
            let value = top_value * f64::from(i) / 4.0;
            (value, y_of(value))
        })
        .collect();
    let labels = series
        .points
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(i, p)| (p.label.clone(), LEFT + step * i as f64))
        .collect();
    ChartGeometry {
        line,
        ticks,
        labels,
    }
}

/// The smallest of 1, 2, 2.5 or 5 times a power of ten that is ≥ `value`.
fn nice_ceiling(value: f64) -> f64 {
    if value <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|candidate| *candidate >= value)
        .unwrap_or(10.0 * magnitude)
}

fn short_number(value: f64) -> String {
    if value >= 1000.0 {
        format!("{:.1}k", value / 1000.0)
    } else {
        format!("{value:.0}")
    }
}

#[component]
pub fn AnalyticsChart(series: AnalyticsSeries) -> Element {
    if series.points.is_empty() {
        return rsx! { p { class: "muted", "No data for this period." } };
    }
    let chart = geometry(&series);
    let last = series.points.last().map(|p| p.value).unwrap_or_default();
    let axis_bottom = HEIGHT - BOTTOM;
    rsx! {
        p { class: "muted small", "{series.metric}, last 14 days · latest {short_number(last)} {series.unit}" }
        svg {
            class: "chart",
            view_box: "0 0 {WIDTH} {HEIGHT}",
            role: "img",
            "aria-label": "{series.metric} over the last 14 days",
            for (value, y) in chart.ticks {
                line { class: "grid", x1: "{LEFT}", x2: "{WIDTH - RIGHT}", y1: "{y:.1}", y2: "{y:.1}" }
                text { class: "tick", x: "{LEFT - 6.0}", y: "{y + 4.0:.1}", text_anchor: "end", "{short_number(value)}" }
            }
            line { class: "axis", x1: "{LEFT}", x2: "{LEFT}", y1: "{TOP}", y2: "{axis_bottom}" }
            line { class: "axis", x1: "{LEFT}", x2: "{WIDTH - RIGHT}", y1: "{axis_bottom}", y2: "{axis_bottom}" }
            for (label, x) in chart.labels {
                text { class: "tick", x: "{x:.1}", y: "{HEIGHT - 6.0}", text_anchor: "middle", "{label}" }
            }
            polyline { class: "series", points: "{chart.line}", fill: "none" }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use larder_protocol::widgets::SeriesPoint;

    fn series(values: &[f64]) -> AnalyticsSeries {
        AnalyticsSeries {
            metric: "Active sessions".into(),
            unit: "sessions".into(),
            points: values
                .iter()
                .enumerate()
                .map(|(i, v)| SeriesPoint {
                    label: format!("d{i}"),
                    value: *v,
                })
                .collect(),
        }
    }

    #[test]
    fn rounds_the_axis_up() {
        assert_eq!(nice_ceiling(1430.0), 2000.0);
        assert_eq!(nice_ceiling(2100.0), 2500.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
    }

    #[test]
    fn maps_values_into_the_plot() {
        let chart = geometry(&series(&[0.0, 1000.0]));
        // 0 sits on the x axis, 1000 at the top of the plot.
        assert_eq!(
            chart.line,
            format!(
                "{LEFT:.1},{:.1} {:.1},{TOP:.1}",
                HEIGHT - BOTTOM,
                WIDTH - RIGHT
            )
        );
        assert_eq!(chart.ticks.len(), 5);
        assert_eq!(chart.labels.len(), 1);
    }

    #[test]
    fn renders_axes_labels_and_the_empty_state() {
        let html = dioxus_ssr::render_element(
            rsx! { AnalyticsChart { series: series(&[5.0, 9.0, 7.0]) } },
        );
        assert!(
            html.contains("<svg") && html.contains("polyline") && html.contains(">d0<"),
            "{html}"
        );
        let empty = dioxus_ssr::render_element(rsx! { AnalyticsChart { series: series(&[]) } });
        assert!(empty.contains("No data"));
    }
}
