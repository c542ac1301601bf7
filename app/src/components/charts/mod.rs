//! Charts drawn as SVG by our own components: no chart library is
//! downloaded. Values are only ever placed in text nodes and attributes.

mod line_chart;
mod scatter;
mod sparkline;

pub use line_chart::{LineChart, Series};
pub use scatter::{ScatterPlot, ScatterPoint};
pub use sparkline::Sparkline;

/// Plot area inside every chart's SVG, in viewBox units.
pub(crate) struct Frame {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

impl Frame {
    pub const CHART: Frame = Frame {
        width: 640.0,
        height: 200.0,
        left: 56.0,
        right: 12.0,
        top: 10.0,
        bottom: 24.0,
    };

    pub fn x_range(&self) -> (f64, f64) {
        (self.left, self.width - self.right)
    }

    pub fn y_range(&self) -> (f64, f64) {
        (self.height - self.bottom, self.top)
    }
}
