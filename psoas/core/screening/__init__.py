"""Safety screen: red flags that refer, and the restrictions that conditions, limits,
pregnancy and missing equipment put on the exercise catalog."""
