"""Operations, one module per verb. The CLI is a thin layer over these."""
