//! Small text helpers: search words and masked destinations.

/// Words too common to rank documents by.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "at", "be", "by", "can", "do", "for", "from", "how", "i", "in", "is",
    "it", "me", "my", "of", "on", "or", "please", "the", "this", "to", "we", "with", "you",
];

/// The search words of a text: lower-cased alphanumeric runs, without stop words, with a
/// trailing plural `s` removed (so "printers" finds "printer").
pub(crate) fn index_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(normalize)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
}

fn normalize(word: &str) -> String {
    let mut w = word.to_lowercase();
    if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
        w.pop();
    }
    w
}

/// `+1 555 010 0142` → `+1 *** *** 0142`.
pub(crate) fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let last: String = digits[digits.len().saturating_sub(4)..].iter().collect();
    match phone
        .split_whitespace()
        .next()
        .filter(|cc| cc.starts_with('+'))
    {
        Some(cc) => format!("{cc} *** *** {last}"),
        None => format!("*** *** {last}"),
    }
}

/// `frank.delgado@acme.example` → `f***@acme.example`.
pub(crate) fn mask_email(mail: &str) -> String {
    match mail.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_phone("+1 555 010 0142"), "+1 *** *** 0142");
        assert_eq!(mask_phone("+44 7700 900123"), "+44 *** *** 0123");
        assert_eq!(mask_phone("555-0142"), "*** *** 0142");
        assert_eq!(
            mask_email("frank.delgado@acme.example"),
            "f***@acme.example"
        );
    }

    #[test]
    fn words() {
        let w: Vec<String> = index_words("How do I fix the Printers? VPN-issue").collect();
        assert_eq!(w, ["fix", "printer", "vpn", "issue"]);
    }
}
