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
    // Axis from 0 in "nice" steps to the first step at or above the maximum.
    let (tick_step, top_value) = axis(if max.is_finite() { max.max(min) } else { 1.0 });
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
    let steps = (top_value / tick_step).round() as u32;
    let ticks = (0..=steps)
        .map(|i| {
            let value = tick_step * f64::from(i);
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

/// About this many steps on the y axis.
const TARGET_STEPS: f64 = 4.0;

/// The y axis for values up to `max`: a "nice" step (1, 2 or 5 times a
/// power of ten, as charting libraries choose) giving about
/// [`TARGET_STEPS`] steps, and the first multiple of it at or above `max`.
fn axis(max: f64) -> (f64, f64) {
    if !(max > 0.0 && max.is_finite()) {
        return (1.0, 1.0);
    }
    let step = nice_step(max / TARGET_STEPS);
    (step, step * (max / step).ceil().max(1.0))
}

/// The smallest of 1, 2 or 5 times a power of ten that is ≥ `value` (> 0).
fn nice_step(value: f64) -> f64 {
    let magnitude = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|candidate| *candidate >= value * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

/// A tick label: "750", "1k", "1.5k".
fn short_number(value: f64) -> String {
    if value >= 1000.0 {
        let thousands = value / 1000.0;
        if (thousands - thousands.round()).abs() < 1e-9 {
            format!("{thousands:.0}k")
        } else {
            format!("{thousands:.1}k")
        }
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
    fn the_axis_steps_are_nice_and_cover_the_maximum() {
        assert_eq!(axis(1430.0), (500.0, 1500.0));
        assert_eq!(axis(2100.0), (1000.0, 3000.0));
        assert_eq!(axis(1000.0), (500.0, 1000.0));
        assert_eq!(axis(0.0), (1.0, 1.0));
        assert_eq!(axis(f64::NAN), (1.0, 1.0));
        let mut max = 0.37;
        while max < 5.0e7 {
            let (step, top) = axis(max);
            let mantissa = step / 10f64.powf(step.log10().floor());
            assert!(
                [1.0, 2.0, 5.0].iter().any(|m| (mantissa - m).abs() < 1e-6),
                "{max}: step {step}"
            );
            assert!(
                top >= max && top - step < max,
                "{max}: top {top}, step {step}"
            );
            let steps = (top / step).round();
            assert!((2.0..=5.0).contains(&steps), "{max}: {steps} steps");
            max *= 1.07;
        }
    }

    #[test]
    fn the_y_axis_is_labelled_in_nice_steps() {
        let html = dioxus_ssr::render_element(
            rsx! { AnalyticsChart { series: series(&[400.0, 1430.0, 900.0]) } },
        );
        let labels: Vec<&str> = html
            .split("class=\"tick\"")
            .skip(1)
            .filter_map(|rest| rest.split('>').nth(1)?.split('<').next())
            .collect();
        assert_eq!(&labels[..4], ["0", "500", "1k", "1.5k"], "{html}");
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
        assert_eq!(chart.ticks.len(), 3, "0, 500 and 1k");
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
