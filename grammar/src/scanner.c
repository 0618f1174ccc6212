// External scanner for the dockls Dockerfile grammar.
//
// It owns everything that depends on line structure or on state a regular lexer cannot keep:
//   * `_newline`: the end of a logical line (a zero-width one at end of file when the last line
//     has no newline);
//   * `line_continuation`: the escape character (`\` or the one chosen by `# escape=`), trailing
//     blanks, the newline, and any blank lines that follow it;
//   * `comment`: a `#` line; only at the start of a line (mid-line `#` is shell text). Inside a
//     continuation the comment swallows its newline and following blank lines, as Docker does;
//   * `_directive_hash`: the `#` of a parser directive, only at the top of the file;
//   * instruction keywords, case-insensitive, only as whole words;
//   * heredoc markers, bodies and terminators, with a queue of pending delimiters;
//   * `_json_array_start`: a `[` that begins a valid JSON string array up to the end of the
//     logical line. Anything else is shell form, exactly as Docker decides;
//   * `_escaped` / `_imm_escaped`: in a word or a double-quoted string, the escape character
//     with the character it escapes (a blank too: `a\ b` is one word). Only the current escape
//     character escapes: under `# escape=``, `C:\dir\` is a plain word and `"C:\dir\"` ends at
//     its second quote, as in BuildKit. `_imm_escaped` continues the word before it, so it is
//     never read after blanks.
//   * `_word_break`: zero-width, at the start of a line continued after blanks (`ENV A \` then
//     `b` at column 0). BuildKit joins the lines keeping the blank, so `b` starts a new word;
//     without it, tree-sitter would let `b` continue the word before the continuation (no
//     blank precedes `b` in the file). Comment lines in between keep the break pending.

#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum TokenType {
  NEWLINE,
  LINE_CONTINUATION,
  COMMENT,
  DIRECTIVE_HASH,
  JSON_ARRAY_START,
  HEREDOC_MARKER,
  HEREDOC_CONTENT,
  HEREDOC_END,
  KW_FROM,
  KW_RUN,
  KW_CMD,
  KW_LABEL,
  KW_MAINTAINER,
  KW_EXPOSE,
  KW_ENV,
  KW_ADD,
  KW_COPY,
  KW_ENTRYPOINT,
  KW_VOLUME,
  KW_USER,
  KW_WORKDIR,
  KW_ARG,
  KW_ONBUILD,
  KW_STOPSIGNAL,
  KW_HEALTHCHECK,
  KW_SHELL,
  ERROR_REST_OF_LINE,
  ERROR_SENTINEL,
  ESCAPED,
  IMM_ESCAPED,
  WORD_BREAK,
};

static const char *const KEYWORDS[] = {
    "FROM",   "RUN",  "CMD",     "LABEL", "MAINTAINER", "EXPOSE",     "ENV",         "ADD",   "COPY",
    "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
};
#define KEYWORD_COUNT 18

#define MAX_HEREDOCS 8
#define MAX_DELIMITER 64

typedef struct {
  uint8_t len;
  bool strip_tabs;
  char delimiter[MAX_DELIMITER];
} Heredoc;

typedef struct {
  int32_t escape;         // '\\' or '`'
  bool in_continuation;   // the last line-structure token was a continuation (or a comment in one)
  bool directives_done;   // a non-directive line has been seen
  bool eof_newline;       // the zero-width newline at end of file has been produced
  bool in_directive;      // inside a parser directive line (its value may be the escape char)
  bool spaced_continuation;  // the last continuation had blanks before its escape character
  uint8_t heredoc_count;
  Heredoc heredocs[MAX_HEREDOCS];
} Scanner;

void *tree_sitter_dockerfile_external_scanner_create(void) {
  Scanner *s = calloc(1, sizeof(Scanner));
  s->escape = '\\';
  return s;
}

void tree_sitter_dockerfile_external_scanner_destroy(void *payload) { free(payload); }

unsigned tree_sitter_dockerfile_external_scanner_serialize(void *payload, char *buffer) {
  Scanner *s = payload;
  unsigned n = 0;
  buffer[n++] = (char)(s->escape == '`' ? '`' : '\\');
  buffer[n++] = (char)((s->in_continuation ? 1 : 0) | (s->directives_done ? 2 : 0) | (s->eof_newline ? 4 : 0) | (s->in_directive ? 8 : 0) |
                          (s->spaced_continuation ? 16 : 0));
  buffer[n++] = (char)s->heredoc_count;
  for (unsigned i = 0; i < s->heredoc_count; i++) {
    Heredoc *h = &s->heredocs[i];
    if (n + 2 + h->len > TREE_SITTER_SERIALIZATION_BUFFER_SIZE) break;
    buffer[n++] = (char)h->len;
    buffer[n++] = (char)h->strip_tabs;
    memcpy(&buffer[n], h->delimiter, h->len);
    n += h->len;
  }
  return n;
}

void tree_sitter_dockerfile_external_scanner_deserialize(void *payload, const char *buffer, unsigned length) {
  Scanner *s = payload;
  s->escape = '\\';
  s->in_continuation = false;
  s->directives_done = false;
  s->eof_newline = false;
  s->in_directive = false;
  s->spaced_continuation = false;
  s->heredoc_count = 0;
  if (length < 3) return;
  unsigned n = 0;
  s->escape = buffer[n++] == '`' ? '`' : '\\';
  uint8_t flags = (uint8_t)buffer[n++];
  s->in_continuation = flags & 1;
  s->directives_done = flags & 2;
  s->eof_newline = flags & 4;
  s->in_directive = flags & 8;
  s->spaced_continuation = flags & 16;
  uint8_t count = (uint8_t)buffer[n++];
  for (unsigned i = 0; i < count && i < MAX_HEREDOCS && n + 2 <= length; i++) {
    Heredoc *h = &s->heredocs[i];
    h->len = (uint8_t)buffer[n++];
    h->strip_tabs = buffer[n++] != 0;
    if (h->len > MAX_DELIMITER || n + h->len > length) break;
    memcpy(h->delimiter, &buffer[n], h->len);
    n += h->len;
    s->heredoc_count = (uint8_t)(i + 1);
  }
}

static inline void advance(TSLexer *lexer) { lexer->advance(lexer, false); }
static inline void skip(TSLexer *lexer) { lexer->advance(lexer, true); }
static inline bool is_blank(int32_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == 0xFEFF || c == 0xA0 || c == 0x85 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}
static inline bool at_eol(TSLexer *lexer) { return lexer->eof(lexer) || lexer->lookahead == '\n'; }
static inline int32_t upper(int32_t c) { return (c >= 'a' && c <= 'z') ? c - 32 : c; }
static inline int32_t lower(int32_t c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
static inline bool is_alpha(int32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline bool is_alnum(int32_t c) { return is_alpha(c) || (c >= '0' && c <= '9'); }

static void advance_blanks(TSLexer *lexer) {
  while (!lexer->eof(lexer) && is_blank(lexer->lookahead)) advance(lexer);
}

// Consumes the rest of the current line including its newline.
static void advance_line(TSLexer *lexer) {
  while (!lexer->eof(lexer) && lexer->lookahead != '\n') advance(lexer);
  if (!lexer->eof(lexer)) advance(lexer);
}

// After a continuation newline, consume following lines that are blank. Stops at the start of
// the first line with content (leaving a comment line for the comment token).
static void advance_blank_lines(TSLexer *lexer) {
  for (;;) {
    lexer->mark_end(lexer);
    advance_blanks(lexer);
    if (lexer->eof(lexer) || lexer->lookahead != '\n') return;
    advance(lexer);
  }
}

// ------------------------------------------------------------------------------------ heredocs

static bool scan_heredoc_marker(Scanner *s, TSLexer *lexer) {
  if (lexer->lookahead != '<') return false;
  advance(lexer);
  if (lexer->lookahead != '<') return false;
  advance(lexer);
  Heredoc h = {0};
  if (lexer->lookahead == '-') {
    h.strip_tabs = true;
    advance(lexer);
  }
  // The delimiter is one shell word, as BuildKit reads it: quotes may open and close anywhere
  // (`"EOF"`, `E"OF"`, `'EOF'`) and a backslash takes the next character as it is (`\EOF`).
  int32_t quote = 0;
  while (!lexer->eof(lexer)) {
    int32_t c = lexer->lookahead;
    if (quote) {
      if (c == '\n') return false;
      if (c == quote) {
        quote = 0;
        advance(lexer);
        continue;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
      advance(lexer);
      continue;
    } else if (c == '\\') {
      advance(lexer);
      c = lexer->lookahead;
      if (lexer->eof(lexer) || is_blank(c) || c == '\n' || c == '\r') return false;
    } else if (is_blank(c) || c == '\n' || c == '<' || c == '>' || c == '|' || c == '&' || c == ';' ||
               c == '(' || c == ')' || c == '`') {
      break;
    }
    if (c > 0x7e || c < 0x21 || h.len >= MAX_DELIMITER) return false;
    h.delimiter[h.len++] = (char)c;
    advance(lexer);
  }
  if (quote || h.len == 0) return false;
  if (s->heredoc_count >= MAX_HEREDOCS) return false;
  s->heredocs[s->heredoc_count++] = h;
  lexer->mark_end(lexer);
  lexer->result_symbol = HEREDOC_MARKER;
  return true;
}

// Is the line starting at the lexer the terminator of `h`? Consumes what it reads. With
// `mark`, the token ends after the delimiter (before a CRLF's `\r`).
static bool line_is_terminator(Heredoc *h, TSLexer *lexer, bool mark) {
  if (h->strip_tabs) {
    while (lexer->lookahead == '\t') advance(lexer);
  }
  for (unsigned i = 0; i < h->len; i++) {
    if (lexer->eof(lexer) || lexer->lookahead != (unsigned char)h->delimiter[i]) return false;
    advance(lexer);
  }
  if (mark) lexer->mark_end(lexer);
  if (lexer->lookahead == '\r') advance(lexer);
  return at_eol(lexer);
}

static void pop_heredoc(Scanner *s) {
  if (s->heredoc_count == 0) return;
  memmove(&s->heredocs[0], &s->heredocs[1], sizeof(Heredoc) * (s->heredoc_count - 1));
  s->heredoc_count--;
}

static bool scan_heredoc_body(Scanner *s, TSLexer *lexer, const bool *valid) {
  Heredoc *h = &s->heredocs[0];
  if (lexer->eof(lexer)) {
    // Unterminated at end of file: a zero-width terminator keeps the tree clean; the
    // analysis reports the missing delimiter with a precise message.
    if (!valid[HEREDOC_END]) return false;
    lexer->mark_end(lexer);
    lexer->result_symbol = HEREDOC_END;
    pop_heredoc(s);
    return true;
  }
  if (valid[HEREDOC_END] && line_is_terminator(h, lexer, true)) {
    lexer->result_symbol = HEREDOC_END;
    pop_heredoc(s);
    s->in_continuation = false;
    return true;
  }
  if (!valid[HEREDOC_CONTENT]) return false;
  // The first line is content: read lines until one is the terminator (or end of file).
  advance_line(lexer);
  for (;;) {
    lexer->mark_end(lexer);
    if (lexer->eof(lexer)) break;
    if (line_is_terminator(h, lexer, false)) break;
    advance_line(lexer);
  }
  lexer->result_symbol = HEREDOC_CONTENT;
  s->in_continuation = false;
  return true;
}

// ----------------------------------------------------------------------------- JSON exec form

// Skips blanks, continuations and the blank/comment lines inside them. Returns false at a
// newline that ends the logical line.
static bool json_skip_space(Scanner *s, TSLexer *lexer) {
  for (;;) {
    while (is_blank(lexer->lookahead)) advance(lexer);
    if (lexer->lookahead == s->escape) {
      advance(lexer);
      while (is_blank(lexer->lookahead)) advance(lexer);
      if (lexer->lookahead != '\n') return false;
      advance(lexer);
      for (;;) {
        while (is_blank(lexer->lookahead)) advance(lexer);
        if (lexer->lookahead == '\n') {
          advance(lexer);
        } else if (lexer->lookahead == '#') {
          advance_line(lexer);
        } else {
          break;
        }
      }
      continue;
    }
    return true;
  }
}

static bool json_string(TSLexer *lexer) {
  if (lexer->lookahead != '"') return false;
  advance(lexer);
  for (;;) {
    if (lexer->eof(lexer)) return false;
    int32_t c = lexer->lookahead;
    if (c == '\n' || c == '\r') return false;
    if (c == '"') {
      advance(lexer);
      return true;
    }
    if (c == '\\') {
      advance(lexer);
      c = lexer->lookahead;
      if (c == 'u') {
        advance(lexer);
        for (int i = 0; i < 4; i++) {
          int32_t d = lexer->lookahead;
          bool hex = (d >= '0' && d <= '9') || (d >= 'a' && d <= 'f') || (d >= 'A' && d <= 'F');
          if (!hex) return false;
          advance(lexer);
        }
        continue;
      }
      if (c != '"' && c != '\\' && c != '/' && c != 'b' && c != 'f' && c != 'n' && c != 'r' && c != 't') return false;
    }
    advance(lexer);
  }
}

static bool scan_json_array_start(Scanner *s, TSLexer *lexer) {
  if (lexer->lookahead != '[') return false;
  advance(lexer);
  lexer->mark_end(lexer);
  if (!json_skip_space(s, lexer)) return false;
  if (lexer->lookahead != ']') {
    for (;;) {
      if (!json_string(lexer)) return false;
      if (!json_skip_space(s, lexer)) return false;
      if (lexer->lookahead == ',') {
        advance(lexer);
        if (!json_skip_space(s, lexer)) return false;
        continue;
      }
      if (lexer->lookahead == ']') break;
      return false;
    }
  }
  advance(lexer);  // ']'
  while (is_blank(lexer->lookahead)) advance(lexer);
  if (!at_eol(lexer)) return false;
  lexer->result_symbol = JSON_ARRAY_START;
  return true;
}

// ------------------------------------------------------------------------ parser directives

static bool is_known_directive(const char *name) {
  return strcmp(name, "syntax") == 0 || strcmp(name, "escape") == 0 || strcmp(name, "check") == 0;
}

// At a `#` at the top of the file: is this line a directive Docker accepts?
static bool scan_directive(Scanner *s, TSLexer *lexer) {
  advance(lexer);  // '#'
  lexer->mark_end(lexer);
  while (lexer->lookahead == ' ' || lexer->lookahead == '\t') advance(lexer);
  char name[16];
  unsigned len = 0;
  if (!is_alpha(lexer->lookahead)) return false;
  while (is_alnum(lexer->lookahead) || lexer->lookahead == '_' || lexer->lookahead == '-') {
    if (len >= sizeof(name) - 1) return false;
    name[len++] = (char)lower(lexer->lookahead);
    advance(lexer);
  }
  name[len] = 0;
  while (lexer->lookahead == ' ' || lexer->lookahead == '\t') advance(lexer);
  if (lexer->lookahead != '=' || !is_known_directive(name)) return false;
  advance(lexer);
  while (lexer->lookahead == ' ' || lexer->lookahead == '\t') advance(lexer);
  // Docker needs a value: `# syntax=` is an ordinary comment.
  if (at_eol(lexer) || is_blank(lexer->lookahead)) return false;
  if (strcmp(name, "escape") == 0) {
    int32_t c = lexer->lookahead;
    if (c == '`' || c == '\\') {
      advance(lexer);
      while (is_blank(lexer->lookahead)) advance(lexer);
      if (at_eol(lexer)) s->escape = c;
    }
  }
  s->in_directive = true;
  lexer->result_symbol = DIRECTIVE_HASH;
  return true;
}

// --------------------------------------------------------------------------------- keywords

static bool scan_keyword(Scanner *s, TSLexer *lexer, const bool *valid) {
  char word[12];
  unsigned len = 0;
  while (is_alpha(lexer->lookahead)) {
    if (len >= sizeof(word) - 1) return false;
    word[len++] = (char)upper(lexer->lookahead);
    advance(lexer);
  }
  word[len] = 0;
  if (len == 0) return false;
  int32_t next = lexer->lookahead;
  if (!(lexer->eof(lexer) || is_blank(next) || next == '\n' || next == s->escape)) return false;
  for (int i = 0; i < KEYWORD_COUNT; i++) {
    if (strcmp(word, KEYWORDS[i]) == 0) {
      if (!valid[KW_FROM + i]) return false;
      lexer->mark_end(lexer);
      lexer->result_symbol = (TSSymbol)(KW_FROM + i);
      return true;
    }
  }
  return false;
}

// ------------------------------------------------------------------------------------- scan

bool tree_sitter_dockerfile_external_scanner_scan(void *payload, TSLexer *lexer, const bool *valid) {
  Scanner *s = payload;
  bool recovering = valid[ERROR_SENTINEL];
  // A continuation after blanks breaks the word at the start of the next line; any token
  // but a comment line (or another continuation at the start of the line) ends that.
  bool spaced = s->spaced_continuation;
  s->spaced_continuation = false;
  // `get_column` re-reads the line from its start, so it is asked only when the answer
  // matters: a pending heredoc body, or a `#` / newline / recovery keyword after the blanks.

  // Heredoc bodies come first and keep their leading blanks.
  if (s->heredoc_count > 0 && (valid[HEREDOC_CONTENT] || valid[HEREDOC_END])) {
    if (lexer->eof(lexer) || lexer->get_column(lexer) == 0) return scan_heredoc_body(s, lexer, valid);
  }

  uint32_t skipped = 0;
  while (!lexer->eof(lexer) && is_blank(lexer->lookahead)) {
    skip(lexer);
    skipped++;
  }
  int32_t next = lexer->lookahead;
  bool line_start = false;
  // A newline needs the answer only while parser directives may still follow (a blank line
  // ends them).
  if (!lexer->eof(lexer) && (next == '#' || (next == '\n' && !s->directives_done) || (recovering && is_alpha(next)))) {
    line_start = lexer->get_column(lexer) == skipped;
  } else if (lexer->eof(lexer)) {
    line_start = false;
  }

  // End of file: one zero-width newline to end a last line that has no '\n'.
  if (lexer->eof(lexer)) {
    if (valid[NEWLINE] && !s->eof_newline) {
      s->eof_newline = true;
      s->in_continuation = false;
      s->in_directive = false;
      lexer->mark_end(lexer);
      lexer->result_symbol = NEWLINE;
      return true;
    }
    return false;
  }

  int32_t c = lexer->lookahead;

  // Right after a continuation that had blanks before its escape, at the start of a line.
  bool after_spaced = spaced && skipped == 0 && c != '\n' && lexer->get_column(lexer) == 0;
  if (after_spaced && !recovering && valid[WORD_BREAK] && c != '#') {
    lexer->mark_end(lexer);
    lexer->result_symbol = WORD_BREAK;
    return true;
  }

  if (c == '\n') {
    if (!valid[NEWLINE]) return false;
    advance(lexer);
    lexer->mark_end(lexer);
    if (line_start) s->directives_done = true;  // a blank line ends the directives
    s->in_continuation = false;
    s->in_directive = false;
    lexer->result_symbol = NEWLINE;
    return true;
  }

  if (c == s->escape && !s->in_directive) {
    bool imm = skipped == 0 && valid[IMM_ESCAPED];
    bool escaped = !recovering && (imm || valid[ESCAPED]);
    if (!valid[LINE_CONTINUATION] && !escaped) return false;
    advance(lexer);
    // The escape, then blanks to the end of the line (or of the file): a continuation.
    // Otherwise the escape and the one character after it.
    int32_t first = lexer->lookahead;
    bool at_end = lexer->eof(lexer);
    if (!at_end && first != '\n') {
      advance(lexer);
      if (escaped) lexer->mark_end(lexer);
    }
    if (at_end || first == '\n' || is_blank(first)) {
      advance_blanks(lexer);
      if (valid[LINE_CONTINUATION] && (lexer->eof(lexer) || lexer->lookahead == '\n')) {
        if (lexer->eof(lexer)) {
          lexer->mark_end(lexer);
        } else {
          advance(lexer);
          advance_blank_lines(lexer);
        }
        s->in_continuation = true;
        s->spaced_continuation = skipped > 0 || after_spaced;
        lexer->result_symbol = LINE_CONTINUATION;
        return true;
      }
    }
    if (escaped && !at_end && first != '\n') {
      lexer->result_symbol = imm ? IMM_ESCAPED : ESCAPED;
      return true;
    }
    return false;
  }

  if (line_start && c == '#') {
    if (!recovering && valid[DIRECTIVE_HASH] && !s->directives_done && !s->in_continuation) {
      if (scan_directive(s, lexer)) return true;
      // Not a directive: the rest of the line is a comment. The lexer has moved past the
      // '#', so finish the comment from here.
      while (!at_eol(lexer)) advance(lexer);
      lexer->mark_end(lexer);
      s->directives_done = true;
      lexer->result_symbol = COMMENT;
      return valid[COMMENT];
    }
    if (!valid[COMMENT]) return false;
    // A trailing '\r' belongs to the newline, not to the comment text.
    while (!at_eol(lexer)) {
      bool cr = lexer->lookahead == '\r';
      advance(lexer);
      if (!cr) lexer->mark_end(lexer);
    }
    if (s->in_continuation && !lexer->eof(lexer)) {
      // Inside a continuation the comment line (and blank lines after it) vanish, as in Docker.
      advance(lexer);
      advance_blank_lines(lexer);
      s->spaced_continuation = spaced;
    }
    s->directives_done = true;
    lexer->result_symbol = COMMENT;
    return true;
  }

  if (is_alpha(c) && (!recovering || line_start)) {
    bool any = false;
    for (int i = 0; i < KEYWORD_COUNT; i++) any = any || valid[KW_FROM + i];
    if (any) {
      if (scan_keyword(s, lexer, valid)) {
        s->directives_done = true;
        s->in_continuation = false;
        return true;
      }
      return false;
    }
  }

  if (recovering) {
    // Tree-sitter's recovery is fine-grained but super-linear in the length of the broken
    // stretch. A very long broken line (binary junk, a minified blob) is swallowed as one
    // token to the end of the physical line; ordinary lines keep the precise recovery.
    unsigned length = 0;
    while (!lexer->eof(lexer) && lexer->lookahead != '\n') {
      bool blank = is_blank(lexer->lookahead);
      advance(lexer);
      length++;
      if (!blank) lexer->mark_end(lexer);
    }
    if (length <= 512) return false;
    lexer->result_symbol = ERROR_REST_OF_LINE;
    return true;
  }

  if (c == '<' && valid[HEREDOC_MARKER]) {
    return scan_heredoc_marker(s, lexer);
  }

  if (c == '[' && valid[JSON_ARRAY_START]) {
    return scan_json_array_start(s, lexer);
  }

  return false;
}
