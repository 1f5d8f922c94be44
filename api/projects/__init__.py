"""Projects 项目清单: start, log hours, complete, report problems and resolve them."""
