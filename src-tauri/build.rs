//! Build script of the desktop shell: lets tauri-build read tauri.conf.json and embed the UI.
fn main() {
    tauri_build::build()
}
