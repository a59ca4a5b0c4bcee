//! Server-side SVG charts, drawn with `plotters` and its SVG backend
//! (<https://docs.rs/plotters/latest/plotters/>, <https://docs.rs/plotters-svg/>): horizontal
//! bar charts per intent and the calibration curve.

use msp_agent_core::metrics::Kpis;
use plotters::prelude::*;

/// A chart could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("chart `{chart}`: {message}")]
pub struct ChartError {
    /// Which chart.
    pub chart: &'static str,
    /// What went wrong.
    pub message: String,
}

const BLUE: RGBColor = RGBColor(0x2b, 0x6c, 0xb0);
const TEAL: RGBColor = RGBColor(0x31, 0x97, 0x95);
const ORANGE: RGBColor = RGBColor(0xdd, 0x6b, 0x20);
const GREY: RGBColor = RGBColor(0xa0, 0xa0, 0xa0);
const FONT: &str = "sans-serif";

fn err<E: std::fmt::Display>(chart: &'static str) -> impl Fn(E) -> ChartError {
    move |e| ChartError {
        chart,
        message: e.to_string(),
    }
}

/// Label for the bar at `v` (an integer position) from `names`, top to bottom.
fn name_at(names: &[String], v: f64) -> String {
    let i = v.round();
    if (v - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    names.get(i as usize).cloned().unwrap_or_default()
}

/// One horizontal bar series; bars of several series share a row, the first on top. The
/// legend is written by the page under the chart (a legend box would hide bars).
struct Series {
    values: Vec<f64>,
    color: RGBColor,
}

/// A horizontal bar chart.
struct Bars<'a> {
    chart: &'static str,
    title: &'a str,
    x_desc: &'a str,
    names: &'a [String],
    series: Vec<Series>,
    x_range: (f64, f64),
    x_fmt: &'a dyn Fn(&f64) -> String,
}

fn hbars(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    bars: Bars<'_>,
) -> Result<(), ChartError> {
    let Bars {
        chart: chart_name,
        title,
        x_desc,
        names,
        series,
        x_range,
        x_fmt,
    } = bars;
    let n = names.len().max(1) as f64;
    // Row i is drawn at y = n - 1 - i so the first name is on top.
    let flipped: Vec<String> = names.iter().rev().cloned().collect();
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 18))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(190)
        .build_cartesian_2d(x_range.0..x_range.1, -0.5..(n - 0.5))
        .map_err(err(chart_name))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(names.len().max(1))
        .y_label_formatter(&|v| name_at(&flipped, *v))
        .x_label_formatter(x_fmt)
        .x_desc(x_desc)
        .label_style((FONT, 12))
        .draw()
        .map_err(err(chart_name))?;
    let k = series.len().max(1) as f64;
    let h = 0.8 / k;
    for (s_idx, s) in series.iter().enumerate() {
        let color = s.color;
        let bars = s.values.iter().enumerate().map(move |(i, &v)| {
            let y = n - 1.0 - i as f64;
            let top = y + 0.4 - s_idx as f64 * h;
            Rectangle::new([(0.0, top - h), (v, top)], color.filled())
        });
        chart.draw_series(bars).map_err(err(chart_name))?;
    }
    Ok(())
}

fn svg(
    chart: &'static str,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE).map_err(err(chart))?;
        draw(&root)?;
        root.present().map_err(err(chart))?;
    }
    Ok(out)
}

fn pct_fmt(v: &f64) -> String {
    format!("{v:.0}%")
}

/// Agreement (precision) and recall by intent, in percent.
pub fn agreement_by_intent(k: &Kpis) -> Result<String, ChartError> {
    let names: Vec<String> = k.by_intent.iter().map(|a| a.intent.to_string()).collect();
    let pct = |r: &msp_agent_core::metrics::Rate| r.rate.unwrap_or(0.0) * 100.0;
    let height = 90 + 26 * names.len().max(1) as u32;
    svg("agreement", (760, height), |root| {
        let bars = Bars {
            chart: "agreement",
            title: "Agreement with the human by intent",
            x_desc: "% of labelled tickets",
            names: &names,
            series: vec![
                Series {
                    values: k.by_intent.iter().map(|a| pct(&a.agreement)).collect(),
                    color: BLUE,
                },
                Series {
                    values: k.by_intent.iter().map(|a| pct(&a.recall)).collect(),
                    color: TEAL,
                },
            ],
            x_range: (0.0, 100.0),
            x_fmt: &pct_fmt,
        };
        hbars(root, bars)
    })
}

/// Calibration curve: agreement against mean confidence per band, with the diagonal.
pub fn calibration_curve(k: &Kpis) -> Result<String, ChartError> {
    const NAME: &str = "calibration";
    let points: Vec<(f64, f64)> = k
        .calibration
        .iter()
        .filter_map(|b| Some((b.mean_confidence?, b.agreement.rate?)))
        .collect();
    svg(NAME, (520, 440), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption("Calibration: agreement by confidence band", (FONT, 18))
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..1.0, 0.0..1.0)
            .map_err(err(NAME))?;
        chart
            .configure_mesh()
            .x_desc("mean confidence")
            .y_desc("agreement")
            .label_style((FONT, 12))
            .draw()
            .map_err(err(NAME))?;
        chart
            .draw_series(LineSeries::new(
                [(0.0, 0.0), (1.0, 1.0)],
                GREY.stroke_width(1),
            ))
            .map_err(err(NAME))?
            .label("perfect calibration")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 15, y)], GREY));
        chart
            .draw_series(LineSeries::new(points.clone(), ORANGE.stroke_width(2)))
            .map_err(err(NAME))?
            .label("agent")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 15, y)], ORANGE));
        chart
            .draw_series(PointSeries::of_element(
                points,
                4,
                ORANGE.filled(),
                &|c, s, st| Circle::new(c, s, st),
            ))
            .map_err(err(NAME))?;
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font((FONT, 12))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(err(NAME))?;
        Ok(())
    })
}

/// Volume (tickets) and projected net savings ($) by intent, side by side.
pub fn volume_and_savings(k: &Kpis) -> Result<String, ChartError> {
    const NAME: &str = "volume";
    let names: Vec<String> = k.by_intent.iter().map(|a| a.intent.to_string()).collect();
    let volume: Vec<f64> = k.by_intent.iter().map(|a| a.predicted as f64).collect();
    let savings: Vec<f64> = k.by_intent.iter().map(|a| a.net_savings).collect();
    let vmax = volume.iter().copied().fold(1.0, f64::max) * 1.1;
    let smax = savings.iter().copied().fold(1.0, f64::max) * 1.1;
    let smin = savings.iter().copied().fold(0.0, f64::min) * 1.1;
    let height = 90 + 26 * names.len().max(1) as u32;
    svg(NAME, (1040, height), |root| {
        let (left, right) = root.split_horizontally(520);
        let count = |v: &f64| format!("{v:.0}");
        let dollars = |v: &f64| format!("${v:.0}");
        hbars(
            &left,
            Bars {
                chart: NAME,
                title: "Volume by intent (agent's intent)",
                x_desc: "tickets",
                names: &names,
                series: vec![Series {
                    values: volume,
                    color: BLUE,
                }],
                x_range: (0.0, vmax),
                x_fmt: &count,
            },
        )?;
        hbars(
            &right,
            Bars {
                chart: NAME,
                title: "Projected net savings by intent",
                x_desc: "USD",
                names: &names,
                series: vec![Series {
                    values: savings,
                    color: TEAL,
                }],
                x_range: (smin, smax),
                x_fmt: &dollars,
            },
        )
    })
}
