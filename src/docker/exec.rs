//! systemd's command lines and environment, as systemd reads them (systemd.service(5),
//! systemd.exec(5)): enough to know which program an `ExecStart=` runs and with which
//! flags, without running anything.

/// The words of a command line or an `Environment=` value: separated by whitespace,
/// with double and single quotes and C-style backslash escapes removed.
pub fn split_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return words;
        }
        let mut word = String::new();
        let mut quote: Option<char> = None;
        while let Some(c) = chars.next() {
            match (c, quote) {
                ('\\', _) => match chars.next() {
                    Some('n') => word.push('\n'),
                    Some('t') => word.push('\t'),
                    Some(other) => word.push(other),
                    None => {}
                },
                (q, None) if q == '"' || q == '\'' => quote = Some(q),
                (q, Some(open)) if q == open => quote = None,
                (c, None) if c.is_whitespace() => break,
                (c, _) => word.push(c),
            }
        }
        words.push(word);
    }
}

/// Looks a variable up in the environment gathered so far (the last setting wins).
fn lookup<'e>(env: &'e [(String, String)], name: &str) -> Option<&'e str> {
    env.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// `${VAR}` (and `$$`) expanded inside a word; an unset variable is empty.
fn expand_braced(word: &str, env: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(end) => {
                    out.push_str(lookup(env, &inner[..end]).unwrap_or(""));
                    rest = &inner[end + 1..];
                }
                None => {
                    out.push('$');
                    rest = after;
                }
            }
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// A word of a command line and the variable it came from, if any.
pub type Word = (String, Option<String>);

/// The variable a word names: `$VAR` alone, or the first `${VAR}` in it.
fn variable_of(word: &str) -> Option<String> {
    let bare = word.strip_prefix('$').filter(|n| !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || c == '_'));
    let braced = || word.split_once("${").and_then(|(_, r)| r.split_once('}')).map(|(n, _)| n);
    bare.or_else(braced).map(String::from)
}

/// systemd's substitution in `ExecStart=` words: a word that is exactly `$VAR` becomes
/// the variable's value split at whitespace (none when unset or empty); `${VAR}`
/// inside a word is replaced by the value as one word. Each word keeps the variable
/// it came from, so evidence can name the line that set it.
pub fn expand_words(words: &[String], env: &[(String, String)]) -> Vec<Word> {
    let mut out = Vec::new();
    for w in words {
        let var = variable_of(w);
        if w.strip_prefix('$').is_some_and(|n| Some(n) == var.as_deref()) {
            let value = lookup(env, var.as_deref().unwrap_or("")).unwrap_or("");
            out.extend(split_words(value).into_iter().map(|v| (v, var.clone())));
        } else {
            out.push((expand_braced(w, env), var));
        }
    }
    out
}

/// `%%` and the unit-name specifiers (`%n`, `%N`, `%p`); others are left as written.
pub fn expand_specifiers(word: &str, unit: &str) -> String {
    let prefix = unit.split_once(['@', '.']).map_or(unit, |(p, _)| p);
    let stem = unit.rsplit_once('.').map_or(unit, |(s, _)| s);
    let mut out = String::new();
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('n') => out.push_str(unit),
            Some('N') => out.push_str(stem),
            Some('p') => out.push_str(prefix),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

/// A command line of `ExecStart=`: the prefixes that change how it is run stripped
/// (`@-:+!`), its words split, specifiers and variables expanded (not after `:`).
/// `argv[0]` is the program as written (absolute, or a name systemd looks up).
pub fn exec_command(value: &str, unit: &str, env: &[(String, String)]) -> Vec<Word> {
    let body = value.trim_start_matches(['@', '-', ':', '+', '!']);
    let prefix = &value[..value.len() - body.len()];
    let words: Vec<String> = split_words(body).into_iter().map(|w| expand_specifiers(&w, unit)).collect();
    let mut argv =
        if prefix.contains(':') { words.into_iter().map(|w| (w, None)).collect() } else { expand_words(&words, env) };
    // `@`: the second word is the argv[0] passed to the program, not an argument.
    if prefix.contains('@') && argv.len() > 1 {
        argv.remove(1);
    }
    argv
}

/// The assignments of an `Environment=` value (`A=1 "B=two words"`).
pub fn environment_assignments(value: &str) -> Vec<(String, String)> {
    split_words(value)
        .into_iter()
        .filter_map(|w| w.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

/// The assignments of an `EnvironmentFile=` (also `/etc/default/docker`, which the
/// shell sources too): `KEY=VALUE` lines, `#`/`;` comments, quotes, trailing-backslash
/// continuation; a leading `export ` is accepted as the shell would.
pub fn env_file(text: &str) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let mut pending = String::new();
    let mut start = 0;
    for (i, raw) in text.lines().enumerate() {
        if pending.is_empty() {
            start = i + 1;
            let t = raw.trim_start();
            if t.starts_with('#') || t.starts_with(';') {
                continue;
            }
        }
        if let Some(cont) = raw.strip_suffix('\\') {
            pending.push_str(cont);
            continue;
        }
        pending.push_str(raw);
        let line = std::mem::take(&mut pending);
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let Some((k, v)) = line.split_once('=') else { continue };
        let key = k.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let v = v.trim();
        let value = if v.starts_with('"') || v.starts_with('\'') { split_words(v).join(" ") } else { v.to_string() };
        out.push((key.to_string(), value, start));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(words: &[Word]) -> Vec<&str> {
        words.iter().map(|(w, _)| w.as_str()).collect()
    }

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn words_unquote_and_unescape() {
        assert_eq!(split_words(r#" a "b c"  'd e' f\ g "h\"i" "#), ["a", "b c", "d e", "f g", "h\"i"]);
        assert!(split_words("   ").is_empty());
    }

    #[test]
    fn bare_variables_split_and_braced_ones_do_not() {
        let e = env(&[("DOCKER_OPTS", "--data-root /srv/docker  -D"), ("X", "a b")]);
        let words: Vec<String> = ["/usr/sbin/dockerd", "$DOCKER_OPTS", "--x=${X}", "$UNSET", "$$HOME"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let got = expand_words(&words, &e);
        assert_eq!(texts(&got), ["/usr/sbin/dockerd", "--data-root", "/srv/docker", "-D", "--x=a b", "$HOME"]);
        assert_eq!(got[1].1.as_deref(), Some("DOCKER_OPTS"));
        assert_eq!(got[4].1.as_deref(), Some("X"));
        assert_eq!((got[0].1.as_deref(), got[5].1.as_deref()), (None, None));
    }

    #[test]
    fn prefixes_are_stripped_and_colon_stops_expansion() {
        let e = env(&[("OPTS", "-D")]);
        assert_eq!(texts(&exec_command("-/usr/bin/dockerd $OPTS", "docker.service", &e)), ["/usr/bin/dockerd", "-D"]);
        assert_eq!(
            texts(&exec_command(":/usr/bin/dockerd $OPTS", "docker.service", &e)),
            ["/usr/bin/dockerd", "$OPTS"]
        );
        assert_eq!(
            texts(&exec_command("@/usr/bin/dockerd dockerd -H fd://", "docker.service", &e)),
            ["/usr/bin/dockerd", "-H", "fd://"]
        );
        assert_eq!(texts(&exec_command("!!/x %n %%", "docker.service", &e)), ["/x", "docker.service", "%"]);
    }

    #[test]
    fn env_files_as_systemd_and_the_shell_read_them() {
        let text =
            "# comment\n; also\nDOCKER_OPTS=\"--data-root /srv/d \\\n  -D\"\nexport http_proxy=x\nBAD LINE\nEMPTY=\n";
        let got = env_file(text);
        assert_eq!(got[0], ("DOCKER_OPTS".into(), "--data-root /srv/d   -D".into(), 3));
        assert_eq!(got[1], ("http_proxy".into(), "x".into(), 5));
        assert_eq!(got[2], ("EMPTY".into(), "".into(), 7));
        assert_eq!(got.len(), 3);
        assert_eq!(
            environment_assignments(r#"PATH=/opt/bin:/usr/bin "A=b c""#),
            env(&[("PATH", "/opt/bin:/usr/bin"), ("A", "b c")])
        );
    }
}
