//! Venues: `name|city`, each folded (accents, case, punctuation) with common abbreviations
//! expanded (`st`/`sankt` → `saint`, `str.`/`straße` → `str`, `av.` → `avenue`…).

/// A venue as `name|city`, each folded for case, accents and punctuation with common
/// abbreviations in English, French, German and Dutch expanded, so that "Hotel Bellevue,
/// Esch-sur-Alzette" and "hôtel bellevue esch sur alzette" match. A city written at the end of the
/// name is taken off it. `None` without a name; a venue without a city is `name|`.
pub fn normalise_venue(name: &str, city: &str) -> Option<String> {
    let mut name = fold_words(name);
    let city = fold_words(city);
    if !city.is_empty() && name.len() > city.len() {
        let n = name.len() - city.len();
        if name[n..] == city[..] {
            name.truncate(n);
        }
    }
    if name.is_empty() || name.iter().map(|w| w.chars().count()).sum::<usize>() < 2 {
        return None;
    }
    Some(format!("{}|{}", name.join(" "), city.join(" ")))
}

/// Lower-case words without accents or punctuation, abbreviations expanded.
fn fold_words(s: &str) -> Vec<String> {
    let folded: String = crate::types::text::fold(s)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let words: Vec<&str> = folded.split_whitespace().collect();
    let n = words.len();
    let mut out = Vec::with_capacity(n);
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1);
        let expanded = match *w {
            // "St Johann", "Sankt Vith", "Sint-Niklaas"; "Baker St" is a street.
            "st" if i + 1 == n && i > 0 => "str",
            "st" | "sankt" | "sint" | "skt" | "saint" => "saint",
            "ste" | "sainte" => "sainte",
            "str" | "strasse" | "straat" | "street" => "str",
            "r" if next.is_some() => "rue",
            "av" | "ave" | "avda" | "avenue" => "avenue",
            "bd" | "bld" | "blvd" | "boul" | "bvd" | "boulevard" => "boulevard",
            "pl" | "place" => "place",
            "rte" => "route",
            "chee" | "chaussee" => "chaussee",
            "sq" => "square",
            "rd" => "road",
            "htl" | "hotel" => "hotel",
            "ctr" | "center" | "centre" => "centre",
            "intl" | "international" => "international",
            "no" | "nr" | "num" | "numero" | "nummer"
                if next.is_some_and(|x| x.starts_with(|c: char| c.is_ascii_digit())) =>
            {
                continue;
            }
            _ => "",
        };
        if !expanded.is_empty() {
            out.push(expanded.to_owned());
        } else if let Some(stem) = w
            .strip_suffix("strasse")
            .or_else(|| w.strip_suffix("straat"))
            .filter(|s| !s.is_empty())
        {
            // Hauptstraße / Hauptstr. / Kalverstraat
            out.push(format!("{stem}str"));
        } else {
            out.push((*w).to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venues() {
        let want = Some("hotel bellevue|esch sur alzette".to_owned());
        assert_eq!(normalise_venue("Hotel Bellevue", "Esch-sur-Alzette"), want);
        assert_eq!(normalise_venue("hôtel bellevue", "esch sur alzette"), want);
        assert_eq!(
            normalise_venue("HÔTEL  BELLEVUE!", " Esch sur Alzette "),
            want
        );
        assert_eq!(
            normalise_venue("Hotel Bellevue, Esch-sur-Alzette", "Esch-sur-Alzette"),
            want
        );
        assert_eq!(
            normalise_venue("Hotel Bellevue", ""),
            Some("hotel bellevue|".to_owned())
        );
        assert_eq!(
            normalise_venue("Café St. Joseph, Hauptstraße 12", "Sankt Vith"),
            normalise_venue("cafe saint joseph hauptstr 12", "St-Vith")
        );
        assert_eq!(
            normalise_venue("Bar Le Ritz, 5 r. de la Gare", "Luxembourg"),
            normalise_venue("bar le ritz 5 rue de la gare", "LUXEMBOURG")
        );
        assert_eq!(
            normalise_venue("12 Baker St", "London"),
            normalise_venue("12 Baker Street", "london")
        );
        assert_eq!(
            normalise_venue("Av. de la Liberté 3", "Bruxelles"),
            normalise_venue("avenue de la liberte no 3", "bruxelles")
        );
        assert_eq!(
            normalise_venue("Grand Hôtel Straße", "Köln"),
            Some("grand hotel str|koln".to_owned())
        );
        assert_ne!(normalise_venue("Hotel Bellevue", "Luxembourg"), want);
        assert_eq!(normalise_venue("", "Luxembourg"), None);
        assert_eq!(normalise_venue(" - ", "Luxembourg"), None);
    }
}
