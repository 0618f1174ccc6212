//! dockls: Dockerfile analysis.
