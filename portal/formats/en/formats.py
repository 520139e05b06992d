# The portal writes British English ("colour", "organiser"): dates as "28 November 2026",
# beside Django's "28. November 2026", "28 de noviembre de 2026" and "28 novembre 2026".
DATE_FORMAT = "j F Y"
