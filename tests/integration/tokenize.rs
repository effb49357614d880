//! Tokenizing the seed: domain terms stay whole, offsets point into the original description.

use zaitaku::tokenize::Tokenizer;

use super::harness::{repo, seed};

fn tokenizer() -> Tokenizer {
    Tokenizer::load(&repo("dictionaries")).expect("dictionaries load")
}

#[test]
fn user_dictionary_keeps_domain_terms_whole() {
    let records = zaitaku::ingest::read(&seed()).unwrap().records;
    let tokenized = tokenizer().tokenize(records).unwrap();
    let surfaces: Vec<&str> = tokenized.iter().flat_map(|r| r.tokens.iter().map(|t| &*t.surface)).collect();
    for term in ["副主治医", "訪問看護ステーション", "ファストドクター"] {
        assert!(surfaces.contains(&term), "{term} is not a single token");
    }
    // 主治医ー副主治医体制 → 主治医 | ー | 副主治医 | 体制
    let koto = &tokenized[5];
    let surfaces: Vec<&str> = koto.tokens.iter().map(|t| &*t.surface).collect();
    assert!(surfaces.windows(4).any(|w| w == ["主治医", "ー", "副主治医", "体制"]), "{surfaces:?}");
}

#[test]
fn every_token_slices_the_original_description() {
    let records = zaitaku::ingest::read(&seed()).unwrap().records;
    for record in tokenizer().tokenize(records).unwrap() {
        for token in &record.tokens {
            let original = zaitaku::text::slice_chars(
                &record.record.description,
                token.start_char_orig,
                token.end_char_orig,
            );
            let nfkc: String = unicode_normalization::UnicodeNormalization::nfkc(original).collect();
            assert_eq!(nfkc, &*token.surface, "{} at {}", record.record.id, token.start_char_orig);
        }
    }
}

#[test]
fn full_width_and_half_width_text_maps_back_to_the_original() {
    let text = "ﾌｧｽﾄﾄﾞｸﾀｰとＩＶＲｙを導入し、待機し…";
    let record = super::harness::passage("t-1", text);
    let tokenized = tokenizer().tokenize(vec![record]).unwrap();
    let first = &tokenized[0].tokens[0];
    assert_eq!(&*first.surface, "ファストドクター");
    assert_eq!((first.start_char_orig, first.end_char_orig), (0, 9));
    assert_eq!((first.start_char_nfkc, first.end_char_nfkc), (0, 8));
    let taiki = tokenized[0].tokens.iter().find(|t| &*t.surface == "待機").unwrap();
    assert_eq!(&*taiki.pos, "名詞,サ変接続,*,*");
    let shi = tokenized[0]
        .tokens
        .iter()
        .find(|t| &*t.surface == "し" && t.start_char_nfkc > taiki.start_char_nfkc)
        .unwrap();
    assert_eq!(&*shi.base_form, "する");
}

#[test]
fn tokens_are_the_same_whatever_the_thread_count() {
    let records = zaitaku::ingest::read(&seed()).unwrap().records;
    let tokenizer = tokenizer();
    let parallel = tokenizer.tokenize(records.clone()).unwrap();
    let single = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| tokenizer.tokenize(records).unwrap());
    let tokens = |v: &[zaitaku::TokenizedRecord]| v.iter().map(|r| r.tokens.clone()).collect::<Vec<_>>();
    assert_eq!(tokens(&parallel), tokens(&single));
}
