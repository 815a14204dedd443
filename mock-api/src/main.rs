//! The mock-api binary: parses flags (each also readable from the
//! environment), binds, prints the bound address and serves until Ctrl-C or
//! SIGTERM.

use std::net::SocketAddr;

use clap::Parser;
use mock_api::{AppState, Config};
use tokio::net::TcpListener;

/// The strict upstream API that Larder caches.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, env = "MOCK_API_ADDR", default_value = "127.0.0.1:8787")]
    addr: SocketAddr,
    /// Multiplies the widget delays; 0 means none.
    #[arg(long, env = "MOCK_API_DELAY_SCALE", default_value_t = 1.0)]
    delay_scale: f64,
    /// Delay jitter, as a fraction of the delay.
    #[arg(long, env = "MOCK_API_JITTER", default_value_t = 0.0)]
    jitter: f64,
    /// Requests per minute per token.
    #[arg(long, env = "MOCK_API_RATE_LIMIT", default_value_t = 120)]
    rate_limit: u32,
    /// Enables the /__admin/ test controls (the variable takes 1, true, yes…).
    #[arg(
        long,
        env = "MOCK_API_ADMIN",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    admin: bool,
    /// Keeps sessions in this file (token hashes only) across restarts.
    #[arg(long, env = "MOCK_API_SESSIONS_FILE")]
    sessions_file: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "mock_api=info".into()),
        )
        .init();
    let args = Args::parse();
    let config = Config {
        delay_scale: args.delay_scale,
        jitter: args.jitter,
        rate_limit: args.rate_limit,
        test_controls: args.admin,
        sessions_file: args.sessions_file,
    };
    config.validate()?;
    let listener = TcpListener::bind(args.addr).await?;
    // Printed on stdout (not only logged) so scripts can read the port.
    println!("mock-api listening on http://{}", listener.local_addr()?);
    mock_api::serve(listener, AppState::new(config), shutdown_signal()).await?;
    println!("mock-api stopped");
    Ok(())
}

/// Completes on Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
