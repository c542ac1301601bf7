//! The `watchpost` binary: serve (the default), or run one of the tools.
//! Everything lives in the library so tests can start the same server
//! in-process.

use std::process::ExitCode;

use clap::Parser;
use server::cli::{Cli, Command};
use server::loadgen;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Demo(mut config)) => {
            config.demo.enabled = true;
            serve(*config).await
        }
        Some(Command::Key(args)) => match server::ingest::auth::cli::run(args).await {
            Ok(output) => {
                print!("{output}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("key: {error}");
                ExitCode::FAILURE
            }
        },
        Some(Command::Loadgen(args)) => match loadgen::run(args.clone()).await {
            Ok(summary) => {
                println!("{}", loadgen::report(&summary, &args));
                if summary.spans_accepted == 0 {
                    ExitCode::FAILURE
                } else {
                    ExitCode::SUCCESS
                }
            }
            Err(error) => {
                eprintln!("loadgen: {error}");
                ExitCode::FAILURE
            }
        },
        Some(Command::CopyBaseline(args)) => match loadgen::copy_baseline::run(args).await {
            Ok(summary) => {
                let rate = summary.spans as f64 / summary.elapsed.as_secs_f64();
                println!(
                    "{} spans copied in {:.2}s: {rate:.0} spans/s",
                    summary.spans,
                    summary.elapsed.as_secs_f64()
                );
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("copy-baseline: {error}");
                ExitCode::FAILURE
            }
        },
        Some(Command::QueryBench(args)) => match loadgen::query_bench::run(args).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("query-bench: {error}");
                ExitCode::FAILURE
            }
        },
        Some(Command::User(args)) => match server::accounts::cli::run(args).await {
            Ok(done) => {
                println!("{done}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("user: {error}");
                ExitCode::FAILURE
            }
        },
        Some(Command::Token(args)) => match server::accounts::cli::run_token(args).await {
            Ok(token) => {
                println!("{token}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("token: {error}");
                ExitCode::FAILURE
            }
        },
        Some(Command::CheckBench(args)) => {
            // The scheduler and writer report trouble (results not stored)
            // in logs; a benchmark that hid them would mislead.
            server::telemetry::init(&cli.serve.log);
            match loadgen::check_bench::run(args).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("check-bench: {error}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

async fn serve(config: server::config::Config) -> ExitCode {
    server::telemetry::init(&config.log);
    match server::run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %error, "watchpost stopped with an error");
            ExitCode::FAILURE
        }
    }
}
