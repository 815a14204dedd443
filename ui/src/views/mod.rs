//! One module per route.

pub mod dashboard;
pub mod sign_in;

pub use dashboard::Dashboard;
pub use sign_in::SignIn;
