//! Rebuilds bot-core when a migration is added: `sqlx::migrate!` embeds the folders at
//! compile time but only tracks the files it already saw.

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
