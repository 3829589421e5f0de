//! Harness for end-to-end tests of the real app window: a virtual display (Xvfb) when none is set,
//! tauri-driver in front of WebKitWebDriver, and WebDriver sessions that launch the app binary.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::error::NewSessionError;
use fantoccini::{Client, ClientBuilder, Locator};

pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

/// The app binary under test: MATCHBOOK_APP, or the debug build.
pub fn app_binary() -> PathBuf {
    std::env::var_os("MATCHBOOK_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/debug/matchbook"))
}

/// Where screenshots go: E2E_SCREENSHOTS, or target/e2e-screenshots.
pub fn screenshot_dir() -> PathBuf {
    let dir = std::env::var_os("E2E_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/e2e-screenshots"));
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

/// A port for a listener of tauri-driver or WebKitWebDriver. Taken below Linux's ephemeral range
/// (32768-60999): a port the kernel hands out for `bind(0)` may be a client port of a connection
/// still in TIME_WAIT from an earlier test, which our bind (with SO_REUSEADDR) accepts but
/// WebKitWebDriver's does not ("Unable to listen for HTTP server"), failing the test at random.
fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    const LOW: u16 = 20_000;
    const SPAN: u16 = 12_000;
    // Spread by process so that test binaries run side by side start far apart.
    let seed = (std::process::id() % u32::from(SPAN)) as u16;
    for _ in 0..SPAN {
        let offset = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = LOW + (seed.wrapping_add(offset.wrapping_mul(7))) % SPAN;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port in {LOW}..{}", LOW + SPAN)
}

/// Stops a child politely: SIGTERM lets tauri-driver take WebKitWebDriver down with it, which a
/// SIGKILL would orphan.
fn terminate(child: &mut Child) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A running tauri-driver (and Xvfb, if this harness had to start one).
pub struct Driver {
    xvfb: Option<Child>,
    driver: Child,
    port: u16,
}

impl Driver {
    pub fn start() -> TestResult<Driver> {
        Driver::start_with_env(&[])
    }

    /// Like [`Driver::start`], with extra environment for the app (which inherits tauri-driver's),
    /// e.g. `GTK_THEME` to see the window as a user with a dark desktop does.
    pub fn start_with_env(env: &[(&str, &str)]) -> TestResult<Driver> {
        let app = app_binary();
        if !app.exists() {
            return Err(format!(
                "app binary {} not found: build it first (cargo build)",
                app.display()
            )
            .into());
        }
        let mut xvfb = None;
        if std::env::var_os("DISPLAY").is_none() {
            let display = (90..140)
                .find(|n| !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists())
                .ok_or("no free X display")?;
            let child = Command::new("Xvfb")
                .arg(format!(":{display}"))
                .args(["-screen", "0", "1280x800x24", "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("cannot start Xvfb (install xvfb): {e}"))?;
            let socket = format!("/tmp/.X11-unix/X{display}");
            let deadline = Instant::now() + Duration::from_secs(10);
            while !Path::new(&socket).exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            // Safe here: set before any thread of ours reads the environment concurrently.
            unsafe { std::env::set_var("DISPLAY", format!(":{display}")) };
            xvfb = Some(child);
        }
        let port = free_port();
        let native = free_port();
        let driver = Command::new(
            std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into()),
        )
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| {
            format!("cannot start tauri-driver (cargo install tauri-driver@2.1.0 --locked): {e}")
        })?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("tauri-driver did not start listening".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Driver { xvfb, driver, port })
    }

    /// Launches the app with `args` in a new WebDriver session.
    pub async fn launch(&self, args: &[&str]) -> TestResult<App> {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app_binary(), "args": args }),
        );
        // tauri-driver accepts connections before WebKitWebDriver behind it is ready (its first
        // start on a fresh machine is slow), which shows as a dropped connection: retry those.
        let url = format!("http://127.0.0.1:{}", self.port);
        let mut attempt = 0;
        loop {
            attempt += 1;
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    // The smallest window the layout is made for: every screenshot shows it.
                    client.set_window_size(1280, 720).await?;
                    return Ok(App { client });
                }
                Err(
                    e @ (NewSessionError::Failed(_)
                    | NewSessionError::FailedC(_)
                    | NewSessionError::Lost(_)),
                ) if attempt < 5 => {
                    eprintln!("WebDriver session not started ({e}); retrying");
                }
                Err(e) => return Err(e.into()),
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        terminate(&mut self.driver);
        if let Some(x) = &mut self.xvfb {
            terminate(x);
        }
    }
}

/// One running app window.
pub struct App {
    pub client: Client,
}

const WAIT: Duration = Duration::from_secs(60);

impl App {
    /// Waits for an element to exist (the UI renders asynchronously).
    pub async fn find(&self, css: &str) -> TestResult<Element> {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.client.find(Locator::Css(css)).await {
                Ok(e) => return Ok(e),
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Err(e) => return Err(format!("element {css} never appeared: {e}").into()),
            }
        }
    }

    /// Clicks the element once it is enabled: a click on a button still disabled (the start
    /// button before the config list has chosen a config) does nothing, and the test would wait
    /// for what that click should have done.
    pub async fn click(&self, css: &str) -> TestResult {
        let deadline = Instant::now() + WAIT;
        loop {
            // Found again each time: a re-render may replace the element.
            let element = self.find(css).await?;
            if element.is_enabled().await.unwrap_or(false) {
                match element.click().await {
                    Ok(()) => return Ok(()),
                    // Replaced between finding and clicking: find it again.
                    Err(e) if e.is_stale_element_reference() && Instant::now() < deadline => {}
                    Err(e) => return Err(e.into()),
                }
            }
            if Instant::now() > deadline {
                return Err(format!("{css} stayed disabled").into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `attr` of the element at `css` equals `want`.
    pub async fn wait_attr(&self, css: &str, attr: &str, want: &str) -> TestResult {
        let deadline = Instant::now() + WAIT;
        let mut last = None;
        while Instant::now() < deadline {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                last = e.attr(attr).await.ok().flatten();
                if last.as_deref() == Some(want) {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("{css} [{attr}] was {last:?}, never {want:?}").into())
    }

    /// Waits until the element's text contains `want`.
    pub async fn wait_text(&self, css: &str, want: &str) -> TestResult {
        let deadline = Instant::now() + WAIT;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                last = e.text().await.unwrap_or_default();
                if last.contains(want) {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("{css} text was {last:?}, never contained {want:?}").into())
    }

    /// Replaces the text of an input, as typing would (React sees every keystroke).
    pub async fn fill(&self, css: &str, text: &str) -> TestResult {
        let deadline = Instant::now() + WAIT;
        loop {
            let e = self.find(css).await?;
            let typed = async {
                e.clear().await?;
                if !text.is_empty() {
                    e.send_keys(text).await?;
                }
                Ok::<(), fantoccini::error::CmdError>(())
            };
            match typed.await {
                Ok(()) => return Ok(()),
                Err(e) if e.is_stale_element_reference() && Instant::now() < deadline => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The value of `attr` of the element at `css`, found again if a re-render replaced it.
    pub async fn attr(&self, css: &str, attr: &str) -> TestResult<Option<String>> {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.find(css).await?.attr(attr).await {
                Ok(value) => return Ok(value),
                Err(e) if e.is_stale_element_reference() && Instant::now() < deadline => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The value of the option of the select at `select` whose text contains `text`, once it is
    /// there (options arrive with data loaded after the select renders).
    pub async fn option_value(&self, select: &str, text: &str) -> TestResult<String> {
        let deadline = Instant::now() + WAIT;
        loop {
            // A search that met a re-render (a stale element) is made again at the next turn.
            let options = self
                .client
                .find_all(Locator::Css(&format!("{select} option")))
                .await
                .unwrap_or_default();
            for option in options {
                // A re-render may replace the options while they are read: look again.
                if option.text().await.unwrap_or_default().contains(text) {
                    if let Ok(value) = option.attr("value").await {
                        return Ok(value.unwrap_or_default());
                    }
                }
            }
            if Instant::now() > deadline {
                return Err(format!("{select} never offered {text:?}").into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The rendered text of the element at `css`, found again if a re-render replaced it.
    pub async fn text(&self, css: &str) -> TestResult<String> {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.find(css).await?.text().await {
                Ok(value) => return Ok(value),
                Err(e) if e.is_stale_element_reference() && Instant::now() < deadline => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The DOM property `prop` of the element at `css`, found again if a re-render replaced it.
    pub async fn prop(&self, css: &str, prop: &str) -> TestResult<Option<String>> {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.find(css).await?.prop(prop).await {
                Ok(value) => return Ok(value),
                Err(e) if e.is_stale_element_reference() && Instant::now() < deadline => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Chooses the option with `value` in the select at `css`, waiting for the option to exist
    /// (options often arrive with data loaded after the select renders).
    pub async fn select(&self, css: &str, value: &str) -> TestResult {
        let option = format!("{css} option[value=\"{value}\"]");
        self.click(&option).await?;
        self.wait_prop(css, "value", value).await
    }

    /// Waits until the DOM property `prop` (not the attribute) of the element equals `want`.
    pub async fn wait_prop(&self, css: &str, prop: &str, want: &str) -> TestResult {
        let deadline = Instant::now() + WAIT;
        let mut last = None;
        while Instant::now() < deadline {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                last = e.prop(prop).await.ok().flatten();
                if last.as_deref() == Some(want) {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("{css} .{prop} was {last:?}, never {want:?}").into())
    }

    /// Waits until the element's DOM text (`textContent`, rendered or not) contains `want`.
    /// WebKit's WebDriver leaves out the text of cells inside scrolled tables from `text()`.
    pub async fn wait_content(&self, css: &str, want: &str) -> TestResult {
        let deadline = Instant::now() + WAIT;
        let mut last = None;
        while Instant::now() < deadline {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                last = e.prop("textContent").await.ok().flatten();
                if last.as_deref().is_some_and(|t| t.contains(want)) {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("{css} content was {last:?}, never contained {want:?}").into())
    }

    /// Scrolls the element into the middle of the window (for a screenshot of it).
    pub async fn scroll_to(&self, css: &str) -> TestResult {
        self.find(css).await?;
        // By selector, not by element handle: a re-render between finding the element and
        // scrolling would make a handle stale.
        self.client
            .execute(
                "const e = document.querySelector(arguments[0]); \
                 if (e) e.scrollIntoView({block: 'center'});",
                vec![serde_json::Value::String(css.to_string())],
            )
            .await?;
        Ok(())
    }

    /// The number a review-desk counter shows ("Pending 12" → 12): pending, approved, rejected or
    /// today.
    pub async fn review_counter(&self, name: &str) -> TestResult<usize> {
        let text = self
            .prop(
                &format!("#review-counts [data-count='{name}'] strong"),
                "textContent",
            )
            .await?
            .unwrap_or_default();
        Ok(text.trim().replace(',', "").parse()?)
    }

    /// How many elements match `css` right now.
    pub async fn count(&self, css: &str) -> TestResult<usize> {
        // WebKit's driver can fail a search with a stale element when the DOM changes while it
        // makes the handles of what it found: search again.
        let mut tries = 0;
        loop {
            match self.client.find_all(Locator::Css(css)).await {
                Ok(found) => return Ok(found.len()),
                Err(e) if e.is_stale_element_reference() && tries < 100 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Waits until `css` matches exactly `want` elements.
    pub async fn wait_count(&self, css: &str, want: usize) -> TestResult {
        let deadline = Instant::now() + WAIT;
        let mut last = 0;
        while Instant::now() < deadline {
            last = self.count(css).await?;
            if last == want {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("{css} matched {last} elements, never {want}").into())
    }

    /// Presses and releases one key in the window, as a user at the keyboard would (the element
    /// that has focus receives it). Special keys: `fantoccini::key::Key` as a char.
    pub async fn press(&self, key: char) -> TestResult {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client.perform_actions(keys).await?;
        Ok(())
    }

    /// Saves a screenshot after the UI settles (a shot right after a change can show the old frame).
    pub async fn screenshot(&self, name: &str) -> TestResult<PathBuf> {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let png = self.client.screenshot().await?;
        let path = screenshot_dir().join(name);
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Ends the session, which closes the app.
    pub async fn close(self) -> TestResult {
        self.client.close().await?;
        Ok(())
    }
}
