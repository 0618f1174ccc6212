//! Moving byte ranges: an unchanged instruction analysed before an edit is reused at its new
//! offset instead of being rebuilt (see `Reuse` in `build` and the cache in `shell`).

use std::ops::Range;

use super::*;

pub trait Shift {
    /// Adds `delta` to every byte offset.
    fn shift(&mut self, delta: isize);
}

fn add(x: usize, delta: isize) -> usize {
    (x as isize + delta) as usize
}

impl Shift for Range<usize> {
    fn shift(&mut self, delta: isize) {
        self.start = add(self.start, delta);
        self.end = add(self.end, delta);
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, delta: isize) {
        if let Some(x) = self {
            x.shift(delta);
        }
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, delta: isize) {
        for x in self {
            x.shift(delta);
        }
    }
}

impl<T: Shift> Shift for Box<T> {
    fn shift(&mut self, delta: isize) {
        (**self).shift(delta);
    }
}

impl Shift for (String, Range<usize>) {
    fn shift(&mut self, delta: isize) {
        self.1.shift(delta);
    }
}

impl Shift for Expansion {
    fn shift(&mut self, delta: isize) {
        self.range.shift(delta);
        self.name_range.shift(delta);
        self.word.shift(delta);
    }
}

impl Shift for Word {
    fn shift(&mut self, delta: isize) {
        self.range.shift(delta);
        self.expansions.shift(delta);
    }
}

impl Shift for MountOption {
    fn shift(&mut self, delta: isize) {
        self.range.shift(delta);
        self.key_range.shift(delta);
        self.value.shift(delta);
    }
}

impl Shift for Flag {
    fn shift(&mut self, delta: isize) {
        self.range.shift(delta);
        self.name_range.shift(delta);
        self.value.shift(delta);
        self.mount.shift(delta);
    }
}

impl Shift for Heredoc {
    fn shift(&mut self, delta: isize) {
        self.marker_range.shift(delta);
        self.body_range.shift(delta);
        self.end_range.shift(delta);
    }
}

impl Shift for Pair {
    fn shift(&mut self, delta: isize) {
        self.range.shift(delta);
        self.key.shift(delta);
        self.value.shift(delta);
    }
}

impl Shift for ImageRef {
    fn shift(&mut self, delta: isize) {
        self.range.shift(delta);
        self.registry.shift(delta);
        self.repository.shift(delta);
        self.tag.shift(delta);
        self.digest.shift(delta);
        self.expansions.shift(delta);
    }
}

impl Shift for Args {
    fn shift(&mut self, delta: isize) {
        match self {
            Args::None | Args::HealthcheckNone => {}
            Args::Exec(w) | Args::Words(w) => w.shift(delta),
            Args::Shell(s) => {
                s.range.shift(delta);
                s.fragments.shift(delta);
            }
            Args::Pairs(p) => p.shift(delta),
            Args::From(f) => {
                f.image.shift(delta);
                f.as_keyword.shift(delta);
                f.alias.shift(delta);
            }
            Args::User { user, group } => {
                user.shift(delta);
                group.shift(delta);
            }
        }
    }
}

impl Shift for Instruction {
    fn shift(&mut self, delta: isize) {
        self.range.shift(delta);
        self.keyword_range.shift(delta);
        self.flags.shift(delta);
        self.args.shift(delta);
        self.heredocs.shift(delta);
        self.nested.shift(delta);
        self.memo.shift(delta);
    }
}

impl Shift for SyntaxError {
    fn shift(&mut self, delta: isize) {
        self.range.shift(delta);
    }
}
