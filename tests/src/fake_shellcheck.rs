//! A stand-in `shellcheck` for tests that must count its starts or control when it answers.

use std::path::{Path, PathBuf};

/// Writes `dir/bin/shellcheck` and returns `dir/bin` (to put first on PATH). Each start is
/// logged to `$FAKE_SHELLCHECK_LOG` (`started PID`); when `$FAKE_SHELLCHECK_GATE` is set it waits until that
/// file exists (or its folder is gone: a test that failed must not leave it waiting); then it reports SC2086 on the first script line, columns 6–8 (line 1 of its
/// input is dockls's prelude), for stdin (`-`).
pub fn install(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("creating the stand-in's folder");
    let script = bin.join("shellcheck");
    std::fs::write(
        &script,
        "#!/bin/sh\necho \"started $$\" >> \"$FAKE_SHELLCHECK_LOG\"\ncat > /dev/null\n\
         if [ -n \"$FAKE_SHELLCHECK_GATE\" ]; then\n\
           while [ ! -e \"$FAKE_SHELLCHECK_GATE\" ] && [ -d \"$(dirname \"$FAKE_SHELLCHECK_GATE\")\" ]; do sleep 0.02; done\n\
         fi\n\
         printf '%s' '{\"comments\":[{\"file\":\"-\",\"line\":2,\"endLine\":2,\"column\":6,\"endColumn\":8,\
         \"level\":\"info\",\"code\":2086,\"message\":\"Double quote to prevent globbing and word splitting.\"}]}'\n",
    )
    .expect("writing the stand-in");
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("making it executable");
    bin
}

/// How many times the stand-in started, from its log.
pub fn starts(log: &Path) -> usize {
    std::fs::read_to_string(log).unwrap_or_default().lines().count()
}

/// The process ids of the stand-in's starts, from its log.
pub fn started_processes(log: &Path) -> Vec<u32> {
    std::fs::read_to_string(log).unwrap_or_default().lines().filter_map(|l| l.strip_prefix("started ")?.parse().ok()).collect()
}
