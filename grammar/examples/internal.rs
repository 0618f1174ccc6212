use std::collections::HashMap;
fn main() {
    let text = std::fs::read_to_string(std::env::args().nth(1).unwrap()).unwrap();
    let mut p = tree_sitter::Parser::new();
    p.set_language(&tree_sitter_dockerfile::LANGUAGE.into()).unwrap();
    let tree = p.parse(&text, None).unwrap();
    let mut kinds: HashMap<String, usize> = HashMap::new();
    let mut stack = vec![tree.root_node()];
    let mut total = 0;
    // Walk including hidden nodes is not possible via Node API; count visible internal nodes.
    while let Some(n) = stack.pop() {
        if n.child_count() > 0 { *kinds.entry(n.kind().to_string()).or_default() += 1; total += 1; }
        let mut c = n.walk();
        for ch in n.children(&mut c) { stack.push(ch); }
    }
    let mut v: Vec<_> = kinds.into_iter().collect();
    v.sort_by_key(|x| std::cmp::Reverse(x.1));
    println!("visible internal {total}");
    for (k, c) in v.iter().take(30) { println!("{c:7} {k}"); }
}
