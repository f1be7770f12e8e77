/**
 * Types for the two `natural` files Candor loads on their own. natural's `stemmers/index.js` and
 * `tokenizers/index.js` load every language's stemmer and tokenizer (about 80 ms of start-up); these
 * files hold just the English Porter stemmer and the aggressive tokenizer, typed as natural types them.
 */
declare module 'natural/lib/natural/stemmers/porter_stemmer.js' {
  const PorterStemmer: typeof import('natural/lib/natural/stemmers/index.js').PorterStemmer;
  export default PorterStemmer;
}

declare module 'natural/lib/natural/tokenizers/aggressive_tokenizer.js' {
  const AggressiveTokenizer: typeof import('natural/lib/natural/tokenizers/index.js').AggressiveTokenizer;
  export default AggressiveTokenizer;
}
