//! The IPADIC system dictionary, built by `build.rs` from the vendored source and embedded in the
//! binary (about 46 MB), so loading it reads no file and takes under a millisecond.

lindera_dictionary::embedded_dictionary!("/lindera-ipadic", EmbeddedIpadic);
