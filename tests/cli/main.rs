//! CLI integration tests: one test binary, one module per area. Each test builds its input in
//! a temporary directory, runs the `wirecopy` binary and checks stdout, stderr and the exit
//! code.

mod archive;
mod bad_input;
mod check;
mod eval;
mod formats;
mod hostile;
mod html;
mod output;
mod passages;
mod report;
mod support;
