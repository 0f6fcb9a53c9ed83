/** MoE transformer families, Hugging Face checkpoint IO and tokenizers. */
package ai.llep.models;
