# kppm on redwoodfull restricted to an L-shaped polygon window (spatstat.model 3.2-1):
#   cd tests/data && Rscript make_kppm_polygon_reference.R   -> kppm_redwoodfull_L.json
suppressMessages(library(spatstat.model))
jnum <- function(x) trimws(format(x, digits = 17))
W <- owin(poly = list(x = c(0, 1, 1, 0.5, 0.5, 0), y = c(0, 0, 0.5, 0.5, 1, 1)))
X <- redwoodfull[W]
K <- Kest(X, correction = "best")
fits <- c()
for (m in list(c("mincon", "K"), c("mincon", "pcf"), c("palm", ""), c("clik2", ""))) {
  fit <- if (m[1] == "mincon") kppm(X ~ 1, "Thomas", method = "mincon", statistic = m[2]) else kppm(X ~ 1, "Thomas", method = m[1])
  fits <- c(fits, sprintf('{"method": "%s", "statistic": "%s", "kappa": %s, "scale": %s}', m[1], m[2],
                          jnum(fit$clustpar[["kappa"]]), jnum(fit$clustpar[["scale"]])))
}
writeLines(sprintf('{"pattern": "redwoodfull[L]", "vertices": [[0,0],[1,0],[1,0.5],[0.5,0.5],[0.5,1],[0,1]], "n": %d,\n "K_r": [%s],\n "K_iso": [%s],\n "fits": [%s]}',
  npoints(X), paste(jnum(K$r), collapse = ", "), paste(jnum(K$iso), collapse = ", "), paste(fits, collapse = ",\n  ")),
  "kppm_redwoodfull_L.json")
