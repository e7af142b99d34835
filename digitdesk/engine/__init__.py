"""Qt-free recognition: decode, prepare like MNIST, segment, classify."""
