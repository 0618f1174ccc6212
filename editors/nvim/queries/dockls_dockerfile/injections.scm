; Shell-form RUN/CMD/ENTRYPOINT/HEALTHCHECK CMD text is bash. Line continuations and comment
; lines inside it are part of the injected range, as Docker hands them to the shell joined.
((shell_command) @injection.content
  (#set! injection.language "bash")
  (#set! injection.include-children))

; Heredoc bodies of RUN are run by the shell (unless the marker line names another program,
; e.g. `RUN <<EOF python3`; editors then still get reasonable bash colouring of plain text).
((run_instruction
  (heredoc_block (heredoc_content) @injection.content))
  (#set! injection.language "bash"))

((comment) @injection.content
  (#set! injection.language "comment"))
