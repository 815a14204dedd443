//! One module per route.

mod dashboard;
mod sign_in;

pub use dashboard::Dashboard;
pub use sign_in::SignIn;
