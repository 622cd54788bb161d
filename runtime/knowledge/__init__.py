"""The knowledge base (a bot's documents, read into passages and searched) and FAQ
answers (questions answered at once from the bot's FAQ, without the model)."""
