"""Analyses: engagements, footprints, the strategic verdict, the transparency
envelope, fair shares and raids, each taking prepared results."""
