//! Signature help: the forms of the instruction being typed (`COPY [--from=…] <src>… <dest>`)
//! with the parameter under the cursor, from `crate::docs`.

use std::ops::Range;

use crate::analysis::Analysis;
use crate::docs;
use crate::syntax::{Instruction, Kind};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub label: String,
    /// Each parameter's byte range in `label`.
    pub parameters: Vec<Range<usize>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHelp {
    pub signatures: Vec<Signature>,
    pub active_signature: usize,
    pub active_parameter: Option<usize>,
    pub documentation: &'static str,
}

/// The instruction the cursor is in or right after on its line (`COPY |` has no argument yet).
fn instruction_for(a: &Analysis, offset: usize) -> Option<&Instruction> {
    let text = a.text();
    let df = &a.dockerfile;
    let i = df.instructions.partition_point(|ins| ins.range.start <= offset);
    let ins = &**df.instructions.get(i.checked_sub(1)?)?;
    // Past its end only by blanks on the same line.
    if offset > ins.range.end && !text.get(ins.range.end..offset)?.bytes().all(|b| b == b' ' || b == b'\t') {
        return None;
    }
    Some(match &ins.nested {
        Some(n) if n.range.start <= offset => n,
        _ => ins,
    })
}

/// The keyword of the line being typed when the parser found no instruction (`FROM ` alone
/// is an error node): its kind and where it ends.
fn keyword_of_line(text: &str, offset: usize) -> Option<(Kind, usize)> {
    let line_start = text.get(..offset)?.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = &text[line_start..offset];
    let start = line_start + (line.len() - line.trim_start().len());
    let end = start + text[start..offset].find([' ', '\t'])?;
    let kind = Kind::from_keyword(&text[start..end])?;
    if kind == Kind::Onbuild {
        // `ONBUILD RUN |`: the trigger's keyword, once typed.
        let rest = &text[end..offset];
        let start = end + (rest.len() - rest.trim_start().len());
        if let Some(len) = text[start..offset].find([' ', '\t']) {
            return Some((Kind::from_keyword(&text[start..start + len])?, start + len));
        }
    }
    Some((kind, end))
}

pub fn signature_help(a: &Analysis, offset: usize) -> Option<SignatureHelp> {
    let text = a.text();
    let (kind, keyword_end, exec_form) = match instruction_for(a, offset) {
        Some(ins) if ins.kind != Kind::Onbuild => (ins.kind, ins.keyword_range.end, ins.is_exec_form()),
        _ => {
            let (kind, end) = keyword_of_line(text, offset)?;
            (kind, end, false)
        }
    };
    // Still typing the keyword: completion's job.
    if offset <= keyword_end {
        return None;
    }
    let doc = docs::instruction(kind);
    let signatures: Vec<Signature> = doc
        .forms
        .iter()
        .map(|form| {
            let mut label = kind.keyword().to_string();
            let mut parameters = Vec::new();
            for p in form.iter() {
                label.push(' ');
                parameters.push(label.len()..label.len() + p.len());
                label.push_str(p);
            }
            Signature { label, parameters }
        })
        .collect();

    // The words of the instruction before the cursor (and whether the cursor is in one).
    let args_start = keyword_end;
    let before = text.get(args_start..offset)?;
    let words: Vec<&str> = before.split([' ', '\t', '\n', '\r']).filter(|w| !w.is_empty() && *w != "\\" && *w != "`").collect();
    let in_word = !before.ends_with([' ', '\t', '\n', '\r']);
    let flag_count = words.iter().filter(|w| w.starts_with("--")).count();
    let on_flag = in_word && words.last().is_some_and(|w| w.starts_with("--"));
    let positional = words.len() - flag_count - usize::from(in_word && !on_flag);

    let exec = exec_form || before.trim_start_matches([' ', '\t']).trim_start().starts_with('[')
        || words.iter().any(|w| w.starts_with('['));
    let active_signature = match kind {
        Kind::Run | Kind::Volume => usize::from(exec),
        Kind::Cmd | Kind::Entrypoint => {
            if exec {
                0
            } else {
                doc.forms.len() - 1
            }
        }
        Kind::Healthcheck if words.iter().any(|w| w.eq_ignore_ascii_case("NONE")) => 1,
        _ => 0,
    };
    let form = doc.forms[active_signature];
    let has_flags = form.first().is_some_and(|p| p.starts_with("[--"));
    let active_parameter = if on_flag && has_flags {
        Some(0)
    } else if exec && matches!(kind, Kind::Run | Kind::Cmd | Kind::Entrypoint | Kind::Shell | Kind::Volume) {
        // The whole JSON array is one parameter.
        Some(form.len() - 1)
    } else {
        let first = usize::from(has_flags);
        let positional_params = form.len() - first;
        match kind {
            // `<src>… <dest>`: the last word typed may be the destination.
            Kind::Copy | Kind::Add => Some(first + usize::from(positional >= 1)),
            _ => Some(first + positional.min(positional_params.saturating_sub(1))),
        }
    };
    Some(SignatureHelp { signatures, active_signature, active_parameter, documentation: doc.summary })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Snapshot;

    /// The active form's label with the active parameter in `«»`.
    fn active(text_with_cursor: &str) -> Option<String> {
        let offset = text_with_cursor.find('|').unwrap();
        let text = text_with_cursor.replacen('|', "", 1);
        let a = Analysis::new(Snapshot::from_text(&text));
        let h = signature_help(&a, offset)?;
        let s = &h.signatures[h.active_signature];
        let p = s.parameters[h.active_parameter?].clone();
        Some(format!("{}«{}»{}", &s.label[..p.start], &s.label[p.clone()], &s.label[p.end..]))
    }

    #[test]
    fn the_parameter_under_the_cursor() {
        assert_eq!(active("FROM |").unwrap(), "FROM [--platform=<platform>] «<image>[:<tag>][@<digest>]» [AS <name>]");
        assert_eq!(active("FROM --pla|").unwrap(), "FROM «[--platform=<platform>]» <image>[:<tag>][@<digest>] [AS <name>]");
        assert_eq!(active("FROM alpine |").unwrap(), "FROM [--platform=<platform>] <image>[:<tag>][@<digest>] «[AS <name>]»");
        assert!(active("FROM alpine\nCOPY |").unwrap().contains("«<src>…»"));
        assert!(active("FROM alpine\nCOPY a |").unwrap().contains("«<dest>»"));
        assert!(active("FROM alpine\nCOPY --from=x a b|").unwrap().contains("«<dest>»"));
        assert!(active("FROM alpine\nCOPY --chown=1:1 |").unwrap().contains("«<src>…»"));
        assert!(active("FROM alpine\nRUN [\"a\", |").unwrap().starts_with("RUN [--mount"));
        assert!(active("FROM alpine\nRUN [\"a\", |").unwrap().contains("«[\"<executable>\""));
        assert!(active("FROM alpine\nCMD echo |").unwrap().contains("«<command>»"));
        assert!(active("FROM alpine\nHEALTHCHECK NONE|").unwrap().contains("«NONE»"));
        assert!(active("FROM alpine\nONBUILD RUN |").unwrap().starts_with("RUN"));
        assert_eq!(active("FRO|"), None, "typing the keyword");
        assert_eq!(active("FROM alpine\n\n|"), None, "not on an instruction's line");
    }

    #[test]
    fn every_offset_is_safe() {
        let text = "# escape=`\nFROM a AS b\nCOPY --from=b `\n  é 🐳 /x\r\nHEALTHCHECK\nRUN [\"x\"";
        let a = Analysis::new(Snapshot::from_text(text));
        for o in 0..text.len() + 2 {
            let _ = signature_help(&a, o);
        }
    }
}
