//! One definition per Tauri command: the `commands!` macro turns a list of command functions into
//! those functions, the handler that registers every one of them, and a table of their names and
//! arguments from which `cargo test` writes the TypeScript client's command list
//! (`ui/src/bindings/TauriCommands.ts`, checked for staleness by CI like the ts-rs bindings).

use service::ApiError;

/// What every command answers: its value, or the service's typed error (never a bare string).
pub type Reply<T> = Result<T, ApiError>;

/// Writes an error answered to the window to the log: what the user saw, with the command that
/// answered it. Mistakes in a request are the user's to fix (info); the rest are the app's.
pub fn log_error<T>(command: &str, reply: &Reply<T>) {
    use service::ErrorCode::*;
    let Err(e) = reply else { return };
    let field = e.field.as_deref().unwrap_or("");
    match e.code {
        ValidationError | ImportError | NotFound | Conflict => {
            tracing::info!(command, code = ?e.code, field, "{}", e.message)
        }
        StorageError | InternalError | Busy | ReadOnly => {
            tracing::warn!(command, code = ?e.code, field, "{}", e.message)
        }
    }
}

/// A command as the window sees it.
#[cfg_attr(not(test), allow(dead_code))]
pub struct Command {
    pub name: &'static str,
    pub args: &'static [Arg],
    /// The Rust type of the answer, for the reader of the generated file.
    pub returns: &'static str,
}

/// An argument the window sends, under the camelCase of `name` (Tauri's default).
#[cfg_attr(not(test), allow(dead_code))]
pub struct Arg {
    pub name: &'static str,
    pub rust_type: &'static str,
}

/// Defines the commands, each once. A command is written
///
/// ```text
/// async fn name[state: State<'_, S>, ...](arg: Type, ...) -> Answer { body }
/// ```
///
/// with the values Tauri injects (managed state) in brackets and the arguments the window sends in
/// parentheses, so the table lists exactly the latter. The body returns `Reply<Answer>`. Besides
/// the functions it defines `handler()`, for `Builder::invoke_handler`, and, in tests, `COMMANDS`.
/// Every command is async: Tauri runs it off the main thread, and an async command that borrows
/// state must answer with a `Result`, which keeps every answer a `Reply`.
macro_rules! commands {
    ($(
        $(#[doc = $doc:literal])*
        async fn $name:ident [$($state:ident: $state_ty:ty),* $(,)?]
            ($($arg:ident: $arg_ty:ty),* $(,)?) -> $ret:ty $body:block
    )*) => {
        $(
            $(#[doc = $doc])*
            #[tauri::command]
            async fn $name($($state: $state_ty,)* $($arg: $arg_ty),*)
                -> $crate::command_table::Reply<$ret> {
                let reply: $crate::command_table::Reply<$ret> = async move $body.await;
                $crate::command_table::log_error(stringify!($name), &reply);
                reply
            }
        )*

        /// Registers every command defined here with the window.
        pub fn handler<R: tauri::Runtime>(
        ) -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }

        /// The commands defined here, for the test that writes the TypeScript command list.
        #[cfg(test)]
        pub const COMMANDS: &[$crate::command_table::Command] = &[$(
            $crate::command_table::Command {
                name: stringify!($name),
                args: &[$($crate::command_table::Arg {
                    name: stringify!($arg),
                    rust_type: stringify!($arg_ty),
                }),*],
                returns: stringify!($ret),
            }
        ),*];
    };
}

/// The name under which the window sends an argument: Tauri reads `run_id` from `runId`.
#[cfg(test)]
fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Tauri fills an `Option` argument the window leaves out with `None`.
#[cfg(test)]
fn is_optional(rust_type: &str) -> bool {
    rust_type.replace(' ', "").starts_with("Option<")
}

/// The TypeScript type of a Rust type as it crosses the boundary in JSON: primitives and containers
/// here, any other name the ts-rs binding of that name beside the generated file. A type it does
/// not know fails the test, so a new kind of argument is mapped on purpose, not guessed.
#[cfg(test)]
fn ts_type(rust: &str, imports: &mut std::collections::BTreeSet<(String, String)>) -> String {
    let t = rust.replace(' ', "");
    let inner = |wrapper: &str| {
        t.strip_prefix(wrapper)
            .and_then(|r| r.strip_prefix('<'))
            .and_then(|r| r.strip_suffix('>'))
            .map(str::to_string)
    };
    if let Some(x) = inner("Option") {
        return format!("{} | null", ts_type(&x, imports));
    }
    if let Some(x) = inner("Vec") {
        return format!("Array<{}>", ts_type(&x, imports));
    }
    if let Some(x) = inner("Channel") {
        imports.insert(("@tauri-apps/api/core".into(), "Channel".into()));
        return format!("Channel<{}>", ts_type(&x, imports));
    }
    match t.as_str() {
        "String" => "string".into(),
        // Counts and sizes are far below 2^53: JSON numbers, as the bindings declare them.
        "u32" | "u64" | "i64" | "f64" => "number".into(),
        "bool" => "boolean".into(),
        "()" => "null".into(),
        // The command reads it itself (a config): the TypeScript wrapper's type is the contract.
        "serde_json::Value" => "unknown".into(),
        name if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()) => {
            imports.insert((format!("./{name}"), name.into()));
            name.into()
        }
        other => panic!("no TypeScript type for `{other}`: teach ts_type in command_table.rs"),
    }
}

/// The TypeScript command list: a type giving each command's arguments, as the window sends them
/// (`never`: none; `?`: may be left out), and answer, which types `call` in ui/src/api.ts; and the
/// names as a value, which the api tests compare with the commands they cover.
#[cfg(test)]
pub fn typescript(commands: &[Command]) -> String {
    use std::fmt::Write;

    let mut imports = std::collections::BTreeSet::new();
    let mut table = String::new();
    for c in commands {
        let rust_args: Vec<String> = c
            .args
            .iter()
            .map(|a| format!("{}: {}", a.name, a.rust_type))
            .collect();
        let ts_args: Vec<String> = c
            .args
            .iter()
            .map(|a| {
                let optional = if is_optional(a.rust_type) { "?" } else { "" };
                let ty = ts_type(a.rust_type, &mut imports);
                format!("{}{optional}: {ty}", camel_case(a.name))
            })
            .collect();
        let args = if ts_args.is_empty() {
            "never".to_string()
        } else {
            format!("{{ {} }}", ts_args.join("; "))
        };
        let answer = ts_type(c.returns, &mut imports);
        let _ = writeln!(
            table,
            "  /** `{}({}) -> {}` */\n  {}: {{ args: {args}; answer: {answer} }};",
            c.name,
            rust_args.join(", "),
            c.returns,
            c.name
        );
    }

    let mut out = String::from(
        "// Generated by `cargo test` from the commands! list in src-tauri/src/commands.rs. \
         Do not edit this file manually.\n",
    );
    for (module, name) in &imports {
        let _ = writeln!(out, "import type {{ {name} }} from \"{module}\";");
    }
    out.push_str(
        "\n/** Every Tauri command of the desktop shell: the arguments the window sends it \
         (`never`: none; `?`: may be left out) and its answer. */\n\
         export type TauriCommands = {\n",
    );
    out.push_str(&table);
    out.push_str("};\n\n/** The names of every command, as a value. */\n");
    out.push_str("export const TAURI_COMMANDS: readonly (keyof TauriCommands)[] = [\n");
    for c in commands {
        let _ = writeln!(out, "  \"{}\",", c.name);
    }
    out.push_str("];\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::COMMANDS;

    #[test]
    fn argument_names_are_sent_in_camel_case() {
        assert_eq!(camel_case("run_id"), "runId");
        assert_eq!(camel_case("min_confidence"), "minConfidence");
        assert_eq!(camel_case("id"), "id");
        assert!(is_optional("Option<u32>"));
        assert!(is_optional("Option < RunFilter >"));
        assert!(!is_optional("Vec<Option<u32>>"));
    }

    #[test]
    fn rust_types_become_the_typescript_the_window_sees() {
        let mut imports = std::collections::BTreeSet::new();
        assert_eq!(ts_type("Option<u32>", &mut imports), "number | null");
        assert_eq!(
            ts_type("Vec<DecisionRef>", &mut imports),
            "Array<DecisionRef>"
        );
        assert_eq!(ts_type("()", &mut imports), "null");
        assert_eq!(
            ts_type("Channel<RunProgress>", &mut imports),
            "Channel<RunProgress>"
        );
        let mut names: Vec<&str> = imports.iter().map(|(_, n)| n.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["Channel", "DecisionRef", "RunProgress"]);
    }

    #[test]
    fn command_names_are_unique() {
        let mut names: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before, "a command is defined twice");
    }

    /// Writes the TypeScript command list, as ts-rs writes the bindings whenever `cargo test`
    /// runs; CI fails when the committed file differs, so the client cannot miss a command.
    #[test]
    fn export_typescript_command_list() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("ui/src/bindings/TauriCommands.ts");
        let text = typescript(COMMANDS);
        // Rewriting an unchanged file would wake every watcher of ui/src for nothing.
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).expect("write ui/src/bindings/TauriCommands.ts");
        }
    }
}
