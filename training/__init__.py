"""DigitDesk's training pipeline: data, EDA, model, training and evaluation."""
