//! The settings screen's switch for the local REST API, in the real window: turning it on serves
//! the API on the chosen loopback port with the key the screen shows once; the switch and the key
//! survive a restart of the app.

use std::time::Duration;

use e2e::{Driver, TestResult};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A plain HTTP/1.1 GET on loopback: the status line and the body.
async fn get(port: u16, path: &str, key: Option<&str>) -> TestResult<(String, String)> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let auth = key
        .map(|k| format!("Authorization: Bearer {k}\r\n"))
        .unwrap_or_default();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_string(&mut answer)).await??;
    let status = answer.lines().next().unwrap_or_default().to_string();
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

/// A port no one takes between this check and the app's bind: below the kernel's ephemeral
/// range. A port found free inside that range can become the local end of an outgoing
/// connection (the WebDriver client's, the app's own) before the app binds it, and the switch
/// then shows a bind error instead of the URL.
fn free_port() -> TestResult<u16> {
    let ephemeral_low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|r| r.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32_768);
    let from = ephemeral_low.saturating_sub(8_192).max(1_024);
    let span = ephemeral_low - from;
    // Apart for test processes running side by side.
    let offset = (std::process::id() % u32::from(span.max(1))) as u16;
    (0..span)
        .map(|i| from + (offset + i) % span)
        .find(|&port| std::net::TcpListener::bind(("127.0.0.1", port)).is_ok())
        .ok_or_else(|| "no free port below the ephemeral range".into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_switch_serves_with_the_shown_key_and_survives_a_restart() -> TestResult {
    let driver = Driver::start()?;
    let dir = tempfile::tempdir()?;
    let workspace = dir.path().join("demo.sqlite");
    let args = ["--workspace", workspace.to_str().ok_or("path")?, "--demo"];
    let port = free_port()?;

    let app = driver.launch(&args).await?;
    app.click("#nav-settings").await?;
    app.wait_text("#api-state", "Not serving").await?;
    app.find("#api-key-none").await?;
    app.fill("#api-port", &port.to_string()).await?;
    app.click("#api-enabled").await?;
    // The whole state line: when the server does not start, the failure shows its error.
    app.wait_text("#api-state", &format!("Serving at http://127.0.0.1:{port}"))
        .await?;
    let key = app.text("#api-new-key").await?;
    assert!(key.starts_with("mbk_") && key.len() > 60, "{key}");
    app.wait_text("#api-key-prefix", &key[..12]).await?;
    app.screenshot("settings.png").await?;

    let (status, body) = get(port, "/v1/matching/configs", Some(&key)).await?;
    assert!(status.contains(" 200 "), "{status}: {body}");
    assert!(body.contains("\"links\""), "{body}");
    let (status, body) = get(port, "/v1/matching/configs", None).await?;
    assert!(status.contains(" 401 "), "{status}");
    assert!(body.contains("\"unauthorized\""), "{body}");
    app.close().await?;

    // The app comes back serving, on the same port with the same key, which is not shown again.
    let app = driver.launch(&args).await?;
    app.click("#nav-settings").await?;
    app.wait_text("#api-state", &format!("Serving at http://127.0.0.1:{port}"))
        .await?;
    assert_eq!(app.count("#api-new-key").await?, 0);
    let (status, _) = get(port, "/v1/matching/runs", Some(&key)).await?;
    assert!(status.contains(" 200 "), "{status}");

    // Rotation: the old key stops working, the new one is shown and works.
    app.click("#api-rotate").await?;
    let rotated = app.text("#api-new-key").await?;
    assert_ne!(rotated, key);
    let (status, _) = get(port, "/v1/matching/runs", Some(&key)).await?;
    assert!(status.contains(" 401 "), "{status}");
    let (status, _) = get(port, "/v1/matching/runs", Some(&rotated)).await?;
    assert!(status.contains(" 200 "), "{status}");

    // Off: nothing listens any more.
    app.click("#api-enabled").await?;
    app.wait_text("#api-state", "Not serving").await?;
    assert!(tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err());
    app.close().await?;
    Ok(())
}
