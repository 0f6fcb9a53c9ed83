/**
 * Tokenizers and chat templates: text to token ids and back ({@link
 * ai.llep.models.tokenizer.TextTokenizer}: a byte-level one for the tiny built-in model, and
 * Hugging Face {@code tokenizer.json} files through DJL's native tokenizers, offline), and
 * conversations to training examples whose loss mask marks exactly the tokens the model must learn.
 */
package ai.llep.models.tokenizer;
