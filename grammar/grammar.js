/**
 * Tree-sitter grammar for Dockerfiles, written for dockls from the Dockerfile reference.
 *
 * Line structure (newlines, `\` continuations, comment lines, heredoc bodies, parser directives)
 * and instruction keywords are lexed by the external scanner in src/scanner.c, because they depend
 * on state a regular lexer cannot hold: the escape character chosen by `# escape=`, whether a
 * comment sits at the start of a line, and which heredocs are still waiting for their body.
 *
 * Words that Docker expands (`$VAR`, `${VAR:-word}`) are structured; shell text (RUN, CMD,
 * ENTRYPOINT in shell form) is kept as fragments and injected as bash by the queries.
 */

const KEYWORDS = [
  'FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT',
  'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL',
];

const imm = (t) => token.immediate(prec(1, t));
const immHigh = (t) => token.immediate(prec(3, t));
const kwRule = (name) => ($) => alias($['_kw_' + name.toLowerCase()], name);

// Characters that end an unquoted word everywhere: whitespace, quotes, `$`, and the two
// possible escape characters. Which of `\` and `` ` `` escapes depends on `# escape=`, so the
// scanner reads an escape with the character it escapes (`_escaped`, `_imm_escaped`) and a
// continuation; the other one is an ordinary character (`LONE_ESCAPE`).
const CHUNK = (extra) => new RegExp(`[^\\s"'$\\\\\`${extra}]+`);
const LONE_ESCAPE = /[\\`]/;
// The `--` that starts a flag. Used as a token directly: a hidden rule around it would put an
// extra tree node over every flag's dashes.
const DOUBLE_DASH = token(prec(2, '--'));

// One element of a shell word: a plain character, an escaped one, or a quoted string closed on
// the same line. A word after a blank may not start with `<` followed by `<` or a blank: `<<EOF` may be a
// heredoc marker, and `a < b` simply becomes two fragments.
const SH_QUOTED = `"([^"\\\\\\n\\r]|\\\\[^\\n\\r])*"|'[^'\\n\\r]*'`;
// An escape character with the character after it. `\` and `` ` `` pair only with a character
// that is neither of them, or with themselves: whichever of the two is the escape, a `\` or
// `` ` `` ending the line after the other one is a continuation (`C:\dir\` then `` ` ``).
const SH_PAIR = `\\\\\\\\|\`\`|[\\\\\`][^\\s\\\\\`]`;
const SH_ELEM = `[^\\s\\\\\`"']|${SH_PAIR}|${SH_QUOTED}`;
const SH_FIRST = `[^\\s\\\\\`"'<]|${SH_PAIR}|${SH_QUOTED}|<([^\\s\\\\\`"'<]|${SH_PAIR}|${SH_QUOTED})`;

/** A word made of literal chunks, expansions and quoted strings with no space between them. */
function word($, chunk, firstImmediate) {
  const part = choice(
    imm(chunk),
    imm(LONE_ESCAPE),
    $._imm_escaped,
    alias($._imm_expansion, $.expansion),
    alias($._imm_double_quoted_string, $.double_quoted_string),
    alias($._imm_single_quoted_string, $.single_quoted_string),
  );
  const first = firstImmediate ? part : choice(
    token(chunk),
    token(LONE_ESCAPE),
    $._escaped,
    $.expansion,
    $.double_quoted_string,
    $.single_quoted_string,
  );
  return seq(first, repeat(part));
}

// `_word_break` is a zero-width token the scanner gives at the start of a line continued after
// blanks (`ENV GOPATH \` then `/go` at the start of the next line): BuildKit joins the lines
// keeping the blank, so the next line starts a new word, although no blank precedes it in the
// file (which is all an immediate token looks at). It is accepted after each word that a
// following word could otherwise continue, in the parent rule so the word's range stays its own.
const wordBreak = ($) => optional($._word_break);
/** Flags, each possibly followed by a word break. */
const flags = ($) => repeat(seq($._flag, wordBreak($)));

/** Words separated by blanks that form one value (`ENV key value with spaces`). */
function spacedWords($, chunk) {
  return repeat1(choice(
    token(chunk),
    token(LONE_ESCAPE),
    $._escaped,
    $.expansion,
    $.double_quoted_string,
    $.single_quoted_string,
  ));
}

module.exports = grammar({
  name: 'dockerfile',

  externals: ($) => [
    $._newline,
    $.line_continuation,
    $.comment,
    $._directive_hash,
    $._json_array_start,
    $.heredoc_marker,
    $.heredoc_content,
    $.heredoc_end,
    ...KEYWORDS.map((k) => $['_kw_' + k.toLowerCase()]),
    // Only produced during error recovery on very long lines: the rest of the line as one
    // token, so recovery stays linear on binary junk.
    $._error_rest_of_line,
    $._error_sentinel,
    // The escape character and the character it escapes, starting a word / inside one.
    $._escaped,
    $._imm_escaped,
    $._word_break,
  ],

  // Blanks are any Unicode white space but the newline (Docker splits words with Go's
  // unicode.IsSpace), plus a byte-order mark.
  extras: ($) => [/[ \t\r\f\v\u00a0\u0085\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\uFEFF]/, $.line_continuation, $.comment],

  conflicts: ($) => [],

  supertypes: ($) => [$._instruction],

  // Hidden rules spelled out where they are used: each would otherwise add a tree node per use.
  inline: ($) => [
    $._stage_item, $._non_from_instruction, $._flag, $._copy_argument, $._label_key, $._copy_arguments,
    $._expansion_body, $._double_quoted_body, $._single_quoted_body,
  ],

  rules: {
    // Stages are hidden nodes so that an edit reuses every unchanged stage whole: tree-sitter
    // never reuses repetition nodes (they are "fragile"), so a flat list of instructions would
    // be re-shifted one by one. The body is left-recursive for the same reason.
    source_file: ($) => seq(
      repeat($.parser_directive),
      repeat(choice($._non_from_instruction, $._newline)),
      repeat($._stage),
    ),
    _stage: ($) => seq($.from_instruction, optional($._stage_body)),
    _stage_body: ($) => choice($._stage_item, seq($._stage_body, $._stage_item)),
    _stage_item: ($) => choice($._non_from_instruction, $._newline),
    _non_from_instruction: ($) => choice(
      $.run_instruction,
      $.cmd_instruction,
      $.label_instruction,
      $.maintainer_instruction,
      $.expose_instruction,
      $.env_instruction,
      $.add_instruction,
      $.copy_instruction,
      $.entrypoint_instruction,
      $.volume_instruction,
      $.user_instruction,
      $.workdir_instruction,
      $.arg_instruction,
      $.onbuild_instruction,
      $.stopsignal_instruction,
      $.healthcheck_instruction,
      $.shell_instruction,
    ),

    parser_directive: ($) => seq(
      alias($._directive_hash, '#'),
      field('name', $.directive_name),
      '=',
      field('value', $.directive_value),
      $._newline,
    ),
    directive_name: (_) => /[a-zA-Z][a-zA-Z0-9_-]*/,
    directive_value: (_) => /[^\s=]([^\n\r]*[^\s])?/,

    _instruction: ($) => choice($.from_instruction, $._non_from_instruction),

    // ---------------------------------------------------------------- instructions

    from_instruction: ($) => seq(
      kwRule('FROM')($),
      flags($),
      field('image', $.image_spec),
      wordBreak($),
      optional(seq(alias(/[aA][sS]/, 'AS'), field('as', $.image_alias))),
      $._newline,
    ),

    run_instruction: ($) => seq(
      kwRule('RUN')($),
      flags($),
      choice($.json_string_array, alias($._run_shell_command, $.shell_command)),
      $._newline,
      repeat($.heredoc_block),
    ),

    cmd_instruction: ($) => seq(
      kwRule('CMD')($),
      choice($.json_string_array, $.shell_command),
      $._newline,
    ),

    entrypoint_instruction: ($) => seq(
      kwRule('ENTRYPOINT')($),
      choice($.json_string_array, $.shell_command),
      $._newline,
    ),

    shell_instruction: ($) => seq(
      kwRule('SHELL')($),
      choice($.json_string_array, $.shell_command),
      $._newline,
    ),

    label_instruction: ($) => seq(
      kwRule('LABEL')($),
      choice(repeat1(seq($.label_pair, wordBreak($))), alias($._label_pair_legacy, $.label_pair)),
      $._newline,
    ),

    maintainer_instruction: ($) => seq(
      kwRule('MAINTAINER')($),
      field('name', alias($._rest_of_line, $.unquoted_string)),
      $._newline,
    ),

    expose_instruction: ($) => seq(
      kwRule('EXPOSE')($),
      repeat1(seq($.expose_port, wordBreak($))),
      $._newline,
    ),

    env_instruction: ($) => seq(
      kwRule('ENV')($),
      choice(repeat1(seq($.env_pair, wordBreak($))), alias($._env_pair_legacy, $.env_pair)),
      $._newline,
    ),

    add_instruction: ($) => seq(
      kwRule('ADD')($),
      flags($),
      // Optional, so that a line ending after the flags (`ADD --link` while typing) ends the
      // instruction instead of taking the next line as its arguments; the analysis reports
      // fewer than a source and a destination.
      optional($._copy_arguments),
      $._newline,
      repeat($.heredoc_block),
    ),

    copy_instruction: ($) => seq(
      kwRule('COPY')($),
      flags($),
      // Optional, so that a line ending after the flags (`COPY --link` while typing) ends the
      // instruction instead of taking the next line as its arguments; the analysis reports
      // fewer than a source and a destination.
      optional($._copy_arguments),
      $._newline,
      repeat($.heredoc_block),
    ),

    _copy_arguments: ($) => choice(
      $.json_string_array,
      repeat1(seq($._copy_argument, wordBreak($))),
    ),
    _copy_argument: ($) => choice($.path, $.heredoc_marker),

    volume_instruction: ($) => seq(
      kwRule('VOLUME')($),
      choice($.json_string_array, repeat1(seq($.path, wordBreak($)))),
      $._newline,
    ),

    user_instruction: ($) => seq(
      kwRule('USER')($),
      field('user', alias($._user_word, $.unquoted_string)),
      optional(seq(immHigh(':'), field('group', alias($._group_word, $.unquoted_string)))),
      $._newline,
    ),

    workdir_instruction: ($) => seq(
      kwRule('WORKDIR')($),
      field('path', alias($._spaced_path, $.path)),
      $._newline,
    ),

    arg_instruction: ($) => seq(
      kwRule('ARG')($),
      repeat1(seq($.arg_pair, wordBreak($))),
      $._newline,
    ),

    onbuild_instruction: ($) => seq(
      kwRule('ONBUILD')($),
      // A bare ONBUILD ends at its line; the analysis reports the missing trigger.
      choice(field('instruction', $._instruction), $._newline),
    ),

    stopsignal_instruction: ($) => seq(
      kwRule('STOPSIGNAL')($),
      field('signal', $.unquoted_string),
      $._newline,
    ),

    healthcheck_instruction: ($) => seq(
      kwRule('HEALTHCHECK')($),
      choice(
        seq(alias(/[nN][oO][nN][eE]/, 'NONE'), $._newline),
        // The nested CMD instruction consumes the newline. Flags alone end at their line (the
        // next line is not taken for the CMD); the analysis reports the missing CMD.
        seq(flags($), choice(field('cmd', $.cmd_instruction), $._newline)),
      ),
    ),

    // ---------------------------------------------------------------- flags

    _flag: ($) => choice($.param, $.mount_param, alias(DOUBLE_DASH, $.end_of_flags)),

    param: ($) => seq(
      alias(DOUBLE_DASH, '--'),
      field('name', alias(immHigh(/[a-zA-Z][a-zA-Z0-9_-]*/), $.param_name)),
      optional(seq(immHigh('='), optional(field('value', alias($._param_value, $.unquoted_string))))),
    ),

    _param_value: ($) => seq(
      choice(
        imm(CHUNK('')),
        imm(LONE_ESCAPE),
        $._imm_escaped,
        alias($._imm_expansion, $.expansion),
        alias($._imm_double_quoted_string, $.double_quoted_string),
        alias($._imm_single_quoted_string, $.single_quoted_string),
      ),
      repeat(choice(
        imm(CHUNK('')),
        imm(LONE_ESCAPE),
        $._imm_escaped,
        alias($._imm_expansion, $.expansion),
        alias($._imm_double_quoted_string, $.double_quoted_string),
        alias($._imm_single_quoted_string, $.single_quoted_string),
      )),
    ),

    mount_param: ($) => seq(
      alias(DOUBLE_DASH, '--'),
      field('name', alias(immHigh('mount'), $.param_name)),
      immHigh('='),
      field('value', $.mount_options),
    ),

    mount_options: ($) => seq(
      $.mount_option,
      repeat(seq(immHigh(','), $.mount_option)),
    ),

    mount_option: ($) => seq(
      field('key', alias(imm(/[^\s=,"'$]+/), $.mount_key)),
      optional(seq(immHigh('='), optional(field('value', $.mount_value)))),
    ),

    mount_value: ($) => repeat1(choice(
      imm(/([^\s,"'$\\`]|[\\`][^\s])+/),
      alias($._imm_expansion, $.expansion),
      alias($._imm_double_quoted_string, $.double_quoted_string),
      alias($._imm_single_quoted_string, $.single_quoted_string),
    )),

    // ---------------------------------------------------------------- FROM

    image_spec: ($) => seq(
      field('name', $.image_name),
      optional(field('tag', $.image_tag)),
      optional(field('digest', $.image_digest)),
    ),

    image_name: ($) => seq(
      choice(
        token(/[^\s:@$"'\\`-][^\s:@$"'\\`]*|-[^\s:@$"'\\`-][^\s:@$"'\\`]*/),
        // A registry host with a port: `localhost:5000/app`.
        token(prec(1, /[^\s:@$"'\\`]+:[0-9]+\//)),
        $.expansion,
      ),
      repeat(choice(
        imm(/[^\s:@$"'\\`]+/),
        immHigh(/:[0-9]+\//),
        alias($._imm_expansion, $.expansion),
      )),
    ),

    image_tag: ($) => seq(
      immHigh(':'),
      repeat1(choice(
        imm(/[^\s@$"'\\`]+/),
        alias($._imm_expansion, $.expansion),
      )),
    ),

    image_digest: ($) => seq(
      immHigh('@'),
      repeat1(choice(
        imm(/[^\s$"'\\`]+/),
        alias($._imm_expansion, $.expansion),
      )),
    ),

    image_alias: ($) => seq(
      choice(token(/[^\s$"'\\`]+/), $.expansion),
      repeat(choice(imm(/[^\s$"'\\`]+/), alias($._imm_expansion, $.expansion))),
    ),

    // ---------------------------------------------------------------- key/value instructions

    env_pair: ($) => seq(
      field('name', alias($._key_word, $.unquoted_string)),
      immHigh('='),
      optional(field('value', alias($._imm_value, $.unquoted_string))),
    ),
    _env_pair_legacy: ($) => seq(
      field('name', alias($._key_word, $.unquoted_string)),
      wordBreak($),
      field('value', alias($._spaced_value, $.unquoted_string)),
    ),

    label_pair: ($) => seq(
      field('key', $._label_key),
      immHigh('='),
      optional(field('value', alias($._imm_value, $.unquoted_string))),
    ),
    _label_pair_legacy: ($) => seq(
      field('key', $._label_key),
      wordBreak($),
      field('value', alias($._spaced_value, $.unquoted_string)),
    ),
    _label_key: ($) => choice(
      alias($._key_word, $.unquoted_string),
      $.double_quoted_string,
      $.single_quoted_string,
    ),

    arg_pair: ($) => seq(
      field('name', alias($._key_word, $.unquoted_string)),
      optional(seq(immHigh('='), optional(field('default', alias($._imm_value, $.unquoted_string))))),
    ),

    _key_word: ($) => seq(
      choice(token(CHUNK('=')), token(LONE_ESCAPE), $._escaped, $.expansion),
      repeat(choice(imm(CHUNK('=')), imm(LONE_ESCAPE), $._imm_escaped, alias($._imm_expansion, $.expansion))),
    ),
    _imm_value: ($) => word($, CHUNK(''), true),
    _spaced_value: ($) => spacedWords($, CHUNK('')),

    unquoted_string: ($) => word($, CHUNK(''), false),

    _user_word: ($) => word($, CHUNK(':'), false),
    _group_word: ($) => word($, CHUNK(':'), true),

    expose_port: ($) => seq(
      choice(token(/[^\s\/"'$\\`]+/), $.expansion),
      repeat(choice(imm(/[^\s\/"'$\\`]+/), alias($._imm_expansion, $.expansion))),
      optional(seq(
        immHigh('/'),
        field('protocol', alias(choice(imm(/[^\s"'$\\`]+/), $._imm_expansion), $.expose_protocol)),
      )),
    ),

    path: ($) => word($, CHUNK(''), false),
    _spaced_path: ($) => spacedWords($, CHUNK('')),

    _rest_of_line: ($) => repeat1(token(prec(-1, /[^\s]+/))),

    // ---------------------------------------------------------------- shell and exec forms

    shell_command: ($) => repeat1($.shell_fragment),
    // Docker reads heredocs only in RUN, COPY and ADD.
    _run_shell_command: ($) => repeat1(choice($.shell_fragment, $.heredoc_marker)),

    // Shell text up to the end of the physical line (or to a heredoc marker): the words and the
    // blanks between them are one token, because the server re-reads shell text with
    // tree-sitter-bash anyway and a node per word cost a third of the tree (a leaf plus a
    // repetition node each). Quotes on one line are kept together so a heredoc-looking word
    // inside them (`echo "<<EOF"`) is not taken for a marker; a later word that starts with `<<`
    // ends the fragment so the scanner can read it as a marker.
    shell_fragment: (_) => token(prec(-1, choice(
      new RegExp(`(${SH_ELEM})+([ \\t]+(${SH_FIRST})(${SH_ELEM})*)*`),
      // An unbalanced quote: the rest of the blank-separated word, up to an escape that
      // ends the line (a continuation, for the scanner; `echo "a\` then `b"`).
      new RegExp(`["'](${SH_PAIR}|[^\\s\\\\\`])*`),
      LONE_ESCAPE,
    ))),

    json_string_array: ($) => seq(
      alias($._json_array_start, '['),
      optional(seq($.json_string, repeat(seq(',', $.json_string)))),
      ']',
    ),

    json_string: (_) => /"([^"\\\n\r]|\\([\\\/bfnrt"]|u[0-9a-fA-F]{4}))*"/,

    heredoc_block: ($) => seq(
      optional($.heredoc_content),
      $.heredoc_end,
      $._newline,
    ),

    // ---------------------------------------------------------------- expansions and strings

    expansion: ($) => seq('$', optional($._expansion_body)),
    _imm_expansion: ($) => seq(imm('$'), optional($._expansion_body)),

    _expansion_body: ($) => choice(
      field('name', alias(immHigh(/[a-zA-Z_][a-zA-Z0-9_]*/), $.variable)),
      seq(
        immHigh('{'),
        field('name', alias(immHigh(/[a-zA-Z_][a-zA-Z0-9_]*/), $.variable)),
        optional(seq(
          field('operator', alias(immHigh(/:[-+?=]|[-+?=]|##?|%%?|\/\/?/), $.expansion_operator)),
          optional(field('word', $.expansion_word)),
        )),
        imm('}'),
      ),
    ),

    expansion_word: ($) => repeat1(choice(
      imm(/([^}$"'\\\n\r]|\\[^\n\r])+/),
      alias($._imm_expansion, $.expansion),
      alias($._imm_double_quoted_string, $.double_quoted_string),
      alias($._imm_single_quoted_string, $.single_quoted_string),
    )),

    double_quoted_string: ($) => seq('"', $._double_quoted_body),
    _imm_double_quoted_string: ($) => seq(imm('"'), $._double_quoted_body),
    _double_quoted_body: ($) => seq(
      repeat(choice(
        imm(/[^"\\`$\n\r]+/),
        imm(LONE_ESCAPE),
        $._imm_escaped,
        alias($._imm_expansion, $.expansion),
      )),
      imm('"'),
    ),

    single_quoted_string: ($) => seq("'", $._single_quoted_body),
    _imm_single_quoted_string: ($) => seq(imm("'"), $._single_quoted_body),
    // No escapes inside single quotes; a continuation (the scanner's, with the current escape
    // character) may still join lines.
    _single_quoted_body: (_) => seq(repeat(choice(imm(/[^'\n\r\\`]+/), imm(LONE_ESCAPE))), imm("'")),
  },
});
