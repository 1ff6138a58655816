//! Entry point of the browser build: installs the panic hook and mounts the studio.

fn main() {
    kling_studio::start();
}
