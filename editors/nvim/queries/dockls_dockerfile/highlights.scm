; Highlights for the dockls Dockerfile grammar. Capture names follow the Neovim/Helix conventions.

[
  "FROM" "AS" "RUN" "CMD" "LABEL" "MAINTAINER" "EXPOSE" "ENV" "ADD" "COPY" "ENTRYPOINT"
  "VOLUME" "USER" "WORKDIR" "ARG" "ONBUILD" "STOPSIGNAL" "HEALTHCHECK" "SHELL"
] @keyword

"NONE" @constant.builtin

(comment) @comment @spell

(parser_directive "#" @keyword.directive)
(parser_directive name: (directive_name) @keyword.directive)
(parser_directive value: (directive_value) @string.special)

(line_continuation) @punctuation.special

(image_spec name: (image_name) @string.special)
(image_tag) @label
(image_digest) @constant
(image_tag ":" @punctuation.delimiter)
(image_digest "@" @punctuation.delimiter)
(image_alias) @type

(param "--" @punctuation.special)
(mount_param "--" @punctuation.special)
(param_name) @attribute
(mount_key) @property
(mount_option "=" @operator)
(mount_options "," @punctuation.delimiter)

(env_pair name: (unquoted_string) @variable)
(arg_pair name: (unquoted_string) @variable)
(label_pair key: (_) @property)
["=" ] @operator

(expansion "$" @punctuation.special)
(expansion ["{" "}"] @punctuation.special)
(variable) @variable
(expansion_operator) @operator

(expose_port) @number
(expose_protocol) @type.builtin

[
  (double_quoted_string)
  (single_quoted_string)
  (json_string)
] @string

(json_string_array ["[" "]" ","] @punctuation.bracket)

(heredoc_marker) @label
(heredoc_end) @label
(heredoc_content) @string

(stopsignal_instruction signal: (_) @constant)
(user_instruction user: (_) @variable.builtin)
