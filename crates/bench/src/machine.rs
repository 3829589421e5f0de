//! Facts about the computer a benchmark ran on, so a table pasted into the docs says what it
//! measured. Everything is best effort: a fact that cannot be read is left out, never guessed.

use std::process::Command;

pub struct Machine {
    pub cores: usize,
    pub cpu: Option<String>,
    pub memory_gib: Option<f64>,
    pub os: String,
    pub rustc: Option<String>,
    /// 1, 5 and 15 minute load averages when the benchmark started: on a shared machine a busy
    /// neighbour explains a slow number.
    pub load: Option<String>,
    /// The benchmark binary was built with debug assertions: its numbers are not worth keeping.
    pub debug_build: bool,
}

impl Machine {
    pub fn detect() -> Machine {
        Machine {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu: proc_field("/proc/cpuinfo", "model name"),
            memory_gib: proc_field("/proc/meminfo", "MemTotal")
                .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
                .map(|kib| kib / (1024.0 * 1024.0)),
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
            rustc: Command::new("rustc")
                .arg("--version")
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()),
            load: std::fs::read_to_string("/proc/loadavg")
                .ok()
                .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" ")),
            debug_build: cfg!(debug_assertions),
        }
    }

    /// One line for the report.
    pub fn describe(&self) -> String {
        let mut parts = vec![format!("{} cores (nproc)", self.cores)];
        if let Some(cpu) = &self.cpu {
            parts.push(cpu.clone());
        }
        if let Some(m) = self.memory_gib {
            parts.push(format!("{m:.1} GiB RAM"));
        }
        parts.push(self.os.clone());
        if let Some(r) = &self.rustc {
            parts.push(r.clone());
        }
        if let Some(l) = &self.load {
            parts.push(format!("load average {l} at start"));
        }
        parts.push(if self.debug_build {
            "DEBUG build (numbers not representative)".into()
        } else {
            "release build".into()
        });
        parts.join(", ")
    }
}

/// The value of the first `key: value` line of a /proc file.
pub fn proc_field(path: &str, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        (k.trim() == key).then(|| v.trim().to_string())
    })
}

/// The process's peak resident memory (VmHWM) in MiB; `None` where /proc is not available.
pub fn peak_memory_mib() -> Option<f64> {
    proc_field("/proc/self/status", "VmHWM")
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map(|kib| kib / 1024.0)
}

/// The command line as typed, and as it would be typed through cargo, for the report.
pub fn command_line() -> (String, String) {
    let args: Vec<String> = std::env::args().skip(1).map(|a| quote(&a)).collect();
    let program = std::env::args()
        .next()
        .unwrap_or_else(|| "matchbook-bench".into());
    let direct = std::iter::once(program)
        .chain(args.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    let mut cargo = String::from("cargo run --release -p matchbook-bench");
    if !args.is_empty() {
        cargo.push_str(" -- ");
        cargo.push_str(&args.join(" "));
    }
    (direct, cargo)
}

fn quote(arg: &str) -> String {
    if !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_=.,/:x".contains(c))
    {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}
