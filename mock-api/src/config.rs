//! The server's knobs. Every field has a flag and an environment variable in
//! `main.rs`; the library takes them as plain values.

use std::time::Duration;

use larder_protocol::WidgetId;

/// How the mock API behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Multiplies the widget delays; 0 means none.
    pub delay_scale: f64,
    /// Random variation of each delay, as a fraction of it (0 to 1).
    pub jitter: f64,
    /// Requests per minute per token.
    pub rate_limit: u32,
    /// Enables the `/__admin/` test controls.
    pub test_controls: bool,
    /// Keeps sessions (token hashes only) in this file across restarts;
    /// `None` keeps them in memory.
    pub sessions_file: Option<std::path::PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            delay_scale: 1.0,
            jitter: 0.0,
            rate_limit: 120,
            test_controls: false,
            sessions_file: None,
        }
    }
}

/// A setting that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("delay scale must be a finite number from 0 to 1000, got {0}")]
    DelayScale(f64),
    #[error("jitter must be a fraction from 0 to 1, got {0}")]
    Jitter(f64),
    #[error("rate limit must be at least 1 request per minute")]
    RateLimit,
}

impl Config {
    /// Checks every field's range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !self.delay_scale.is_finite() || !(0.0..=1000.0).contains(&self.delay_scale) {
            return Err(ConfigError::DelayScale(self.delay_scale));
        }
        if !self.jitter.is_finite() || !(0.0..=1.0).contains(&self.jitter) {
            return Err(ConfigError::Jitter(self.jitter));
        }
        if self.rate_limit == 0 {
            return Err(ConfigError::RateLimit);
        }
        Ok(())
    }

    /// The delay for `widget`, scaled, with jitter drawn from `unit`, a
    /// random number in [-1, 1].
    pub fn widget_delay(&self, widget: WidgetId, unit: f64) -> Duration {
        self.scaled_delay(crate::data::base_delay_ms(widget), unit)
    }

    /// A delay of `base_ms` at scale 1.0, scaled, with jitter from `unit`
    /// (as [`Self::widget_delay`]).
    pub fn scaled_delay(&self, base_ms: u64, unit: f64) -> Duration {
        let base = base_ms as f64 * self.delay_scale;
        let ms = base * (1.0 + self.jitter * unit.clamp(-1.0, 1.0));
        Duration::from_secs_f64(ms.max(0.0) / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_follow_the_design() {
        let delays: Vec<u64> = WidgetId::ALL
            .into_iter()
            .map(crate::data::base_delay_ms)
            .collect();
        assert_eq!(delays, [1_000, 3_000, 15_000, 6_000, 1_000]);
    }

    fn widget(n: u8) -> WidgetId {
        WidgetId::new(n).expect("valid id")
    }

    #[test]
    fn scales_delays() {
        let config = Config {
            delay_scale: 0.1,
            ..Config::default()
        };
        assert_eq!(
            config.widget_delay(widget(3), 0.0),
            Duration::from_millis(1500)
        );
        let none = Config {
            delay_scale: 0.0,
            ..Config::default()
        };
        assert_eq!(none.widget_delay(widget(3), 0.0), Duration::ZERO);
        assert_eq!(
            config.scaled_delay(
                crate::role_data::base_delay_ms(larder_protocol::RoleWidget::TeamAnalytics),
                0.0
            ),
            Duration::from_millis(250)
        );
    }

    #[test]
    fn jitter_stays_within_its_fraction() {
        let config = Config {
            jitter: 0.2,
            ..Config::default()
        };
        assert_eq!(
            config.widget_delay(widget(1), 1.0),
            Duration::from_millis(1200)
        );
        assert_eq!(
            config.widget_delay(widget(1), -5.0),
            Duration::from_millis(800)
        );
    }

    #[test]
    fn refuses_bad_settings() {
        let bad = [
            Config {
                delay_scale: -1.0,
                ..Config::default()
            },
            Config {
                delay_scale: f64::NAN,
                ..Config::default()
            },
            Config {
                jitter: 1.5,
                ..Config::default()
            },
            Config {
                rate_limit: 0,
                ..Config::default()
            },
        ];
        for config in bad {
            assert!(config.validate().is_err(), "{config:?}");
        }
        assert!(Config::default().validate().is_ok());
    }
}
