//! The `zaitaku` binary: parses the command line and hands over to the library (`src/cli/`).

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
