//! Export of a wave for checking by any external solver: the graph and the matching as plain text.
//!
//! `graph.txt`: the first line is `n m`, then one `u v w` line per edge (0-based input
//! positions, integer weights). `matching.txt`: one `u v` line per matched pair,
//! `u < v`. Both end with a newline.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::{Edge, Matching};

pub const GRAPH_FILE: &str = "graph.txt";
pub const MATCHING_FILE: &str = "matching.txt";

/// Writes `dir/graph.txt` and `dir/matching.txt`, creating `dir` if needed.
pub fn write_export(
    dir: &Path,
    vertex_count: usize,
    edges: &[Edge],
    matching: &Matching,
) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let mut graph = BufWriter::new(File::create(dir.join(GRAPH_FILE))?);
    writeln!(graph, "{vertex_count} {}", edges.len())?;
    for edge in edges {
        writeln!(graph, "{} {} {}", edge.u, edge.v, edge.w)?;
    }
    graph
        .into_inner()
        .map_err(io::IntoInnerError::into_error)?
        .sync_all()?;

    let mut pairs = BufWriter::new(File::create(dir.join(MATCHING_FILE))?);
    for (u, v) in matching.pairs() {
        writeln!(pairs, "{u} {v}")?;
    }
    pairs
        .into_inner()
        .map_err(io::IntoInnerError::into_error)?
        .sync_all()?;
    Ok(())
}
