"""Analytics 分析: planners' relationship queries, coverage, gaps, diagnostics, mobilisation, indicators."""
