//! Screenshots of the window, decoded, and how much one differs from
//! another as a person would see it.

use anyhow::{Context, Result};

use crate::Harness;

/// A screenshot: its PNG and its decoded pixels.
pub struct Screenshot {
    pub png: Vec<u8>,
    pub width: usize,
    pub bytes_per_pixel: usize,
    pub pixels: Vec<u8>,
}

impl Screenshot {
    /// The largest change, from `self` to `other`, of any colour channel's
    /// mean over a 4×4-pixel block (0 to 255), and the share of pixels that
    /// differ at all. Averaging over blocks leaves out anti-aliasing
    /// jitter, which moves an edge's shading within a pixel or two without
    /// anything a person could see; a changed word, colour or layout moves
    /// whole blocks.
    pub fn change_from(&self, other: &Screenshot) -> (u8, f64) {
        const BLOCK: usize = 4;
        let bpp = self.bytes_per_pixel.max(1);
        let stride = self.width * bpp;
        if self.pixels.len() != other.pixels.len() || stride == 0 {
            return (u8::MAX, 1.0);
        }
        let height = self.pixels.len() / stride;
        let differing = self
            .pixels
            .chunks(bpp)
            .zip(other.pixels.chunks(bpp))
            .filter(|(a, b)| a != b)
            .count();
        let mut largest = 0u8;
        for top in (0..height).step_by(BLOCK) {
            for left in (0..self.width).step_by(BLOCK) {
                for channel in 0..bpp {
                    let (mut sum_a, mut sum_b, mut n) = (0i64, 0i64, 0i64);
                    for y in top..(top + BLOCK).min(height) {
                        for x in left..(left + BLOCK).min(self.width) {
                            let i = y * stride + x * bpp + channel;
                            sum_a += i64::from(self.pixels[i]);
                            sum_b += i64::from(other.pixels[i]);
                            n += 1;
                        }
                    }
                    let change = ((sum_a - sum_b).abs() / n.max(1)) as u8;
                    largest = largest.max(change);
                }
            }
        }
        (largest, differing as f64 / (self.pixels.len() / bpp) as f64)
    }
}

impl Harness {
    /// The window now, as WebDriver's screenshot (PNG), once the page has
    /// rendered two more frames: a screenshot is of the frame last drawn,
    /// which may predate a change just made.
    pub async fn screenshot(&self) -> Result<Screenshot> {
        self.client
            .execute_async(
                "const done = arguments[0]; \
                 requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
                vec![],
            )
            .await?;
        let png = self.client.screenshot().await?;
        let mut reader = png::Decoder::new(std::io::Cursor::new(png.clone())).read_info()?;
        let mut pixels = vec![0; reader.output_buffer_size().context("an image too large")?];
        let frame = reader.next_frame(&mut pixels)?;
        pixels.truncate(frame.buffer_size());
        Ok(Screenshot {
            png,
            width: frame.width as usize,
            bytes_per_pixel: frame.color_type.samples() * usize::from(frame.bit_depth as u8) / 8,
            pixels,
        })
    }
}
