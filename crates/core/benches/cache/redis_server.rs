//! A throwaway redis-server for the cache benchmark's comparison, and
//! timing its GETs.

use std::{
    hint::black_box,
    io::ErrorKind,
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use crate::measure::Latencies;

/// A throwaway redis-server on a free loopback port, stopped when dropped.
pub struct RedisServer {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl RedisServer {
    /// Starts redis-server, or says why not.
    pub fn start() -> Result<Self, String> {
        let port = TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| l.local_addr())
            .map_err(|err| format!("no free port: {err}"))?
            .port();
        let dir = tempfile::tempdir().map_err(|err| format!("no temp dir: {err}"))?;
        let spawned = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(err) if err.kind() == ErrorKind::NotFound => {
                return Err(
                    "redis-server is not installed (`cargo xtask bench` installs it)".into(),
                )
            }
            Err(err) => return Err(format!("redis-server would not start: {err}")),
        };
        let mut server = Self {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match server.connect() {
                Ok(mut con) => {
                    if redis::cmd("PING").query::<String>(&mut con).is_ok() {
                        return Ok(server);
                    }
                }
                Err(err) if Instant::now() > deadline => {
                    return Err(format!("redis-server did not answer: {err}"))
                }
                Err(_) => {}
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("redis-server exited at once ({status})"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A synchronous connection with TCP_NODELAY, as a cache client uses.
    pub fn connect(&self) -> redis::RedisResult<redis::Connection> {
        use redis::IntoConnectionInfo;
        let info = format!("redis://127.0.0.1:{}/", self.port)
            .into_connection_info()?
            .set_tcp_settings(redis::io::tcp::TcpSettings::default().set_nodelay(true));
        redis::Client::open(info)?.get_connection()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Times `gets` GETs of a `value` stored under `key`, after a warm-up.
pub fn redis_gets(con: &mut redis::Connection, key: &str, value: &[u8], gets: usize) -> Latencies {
    redis::cmd("SET")
        .arg(key)
        .arg(value)
        .query::<()>(con)
        .expect("SET");
    let mut one = || {
        let started = Instant::now();
        let got: Vec<u8> = redis::cmd("GET").arg(key).query(con).expect("GET");
        let elapsed = started.elapsed();
        assert_eq!(got.len(), value.len());
        black_box(got);
        elapsed
    };
    for _ in 0..gets / 10 {
        one();
    }
    Latencies::new((0..gets).map(|_| one()).collect())
}
