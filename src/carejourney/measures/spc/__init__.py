"""Statistical process control: run charts and control charts with the rules that say when
a change is unlikely to be chance. Pure functions over arrays; no I/O.

`spc(series, options)` is the one entry point: it splits the series into parts, takes each
part's centre and limits from its baseline (`limits`), applies the chosen rule set
(`runs`, `mdc`) and returns an `SpcResult` (`types`)."""
