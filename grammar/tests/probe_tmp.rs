fn dump(src: &str) {
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&tree_sitter_dockerfile::LANGUAGE.into()).unwrap();
    let tree = parser.parse(src, None).unwrap();
    let root = tree.root_node();
    println!("{:?}: has_error={} sexp={}", src, root.has_error(), root.to_sexp());
    fn walk(n: tree_sitter::Node, d: usize) {
        if n.is_missing() || n.is_error() { println!("{}{} missing={} error={} {:?}", " ".repeat(d), n.kind(), n.is_missing(), n.is_error(), n.range()); }
        let mut c = n.walk();
        for ch in n.children(&mut c) { walk(ch, d + 1); }
    }
    walk(root, 0);
}
#[test]
fn probe() {
    dump("RUN a \\\n");
    dump("COPY <<EOF\nx\nEOF\n");
    dump("RUN <<EOF\na\n");
    dump("FROM a\nRUN b");
}
