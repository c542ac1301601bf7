//! The command line: serving is the default; the other commands are tools.

use clap::{Parser, Subcommand};

use crate::accounts::cli::{TokenArgs, UserArgs};
use crate::config::Config;
use crate::ingest::auth::cli::KeyArgs;
use crate::loadgen::LoadgenArgs;
use crate::loadgen::check_bench::CheckBenchArgs;
use crate::loadgen::copy_baseline::CopyBaselineArgs;
use crate::loadgen::query_bench::QueryBenchArgs;

#[derive(Debug, Parser)]
#[command(
    name = "watchpost",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub serve: Config,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve with a simulated microservice fleet in its own database: the
    /// same as `--demo`, and takes the same flags.
    Demo(Box<Config>),
    /// Create, list and revoke ingest keys (`Authorization: Bearer wpk_…`).
    Key(KeyArgs),
    /// Send a simulated microservice fleet's traces to a Watchpost.
    Loadgen(LoadgenArgs),
    /// Time a raw binary COPY of the loadgen's spans (the benchmark baseline).
    CopyBaseline(CopyBaselineArgs),
    /// Load the loadgen's spans into a database and time the read queries.
    QueryBench(QueryBenchArgs),
    /// Run many HTTP checks against local targets; print the scheduling lag,
    /// the CPU used and the rows written.
    CheckBench(CheckBenchArgs),
    /// Manage users: add one (password from standard input), disable or
    /// enable one.
    User(UserArgs),
    /// Create a personal API token for a user (`--user NAME`) and print it.
    Token(TokenArgs),
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::{Cli, Command};

    #[test]
    fn every_flag_has_a_name_of_its_own() {
        Cli::command().debug_assert();
    }

    #[test]
    fn demo_is_serving_with_the_same_flags() {
        let cli = Cli::try_parse_from([
            "watchpost",
            "demo",
            "--demo-cycle",
            "5m",
            "--listen",
            "127.0.0.1:3999",
        ])
        .expect("demo takes the server's flags");
        let Some(Command::Demo(config)) = cli.command else {
            panic!("not the demo command");
        };
        assert_eq!(config.demo.cycle.0.as_secs(), 300);
        assert_eq!(config.listen.port(), 3999);
        let flag = Cli::try_parse_from(["watchpost", "--demo"]).unwrap();
        assert!(flag.command.is_none() && flag.serve.demo.enabled);
    }
}
