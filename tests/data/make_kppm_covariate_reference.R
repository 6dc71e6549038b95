# kppm with covariates on a 250 m x 250 m corner of bei (spatstat.model 3.2-1, spatstat.data):
#   cd tests/data && Rscript make_kppm_covariate_reference.R
# Writes spatstat_bei_corner.csv (points), bei_corner_elev.txt / bei_corner_grad.txt (the 51 x 51 pixels of
# bei.extra covering the corner, rows = y), bei_corner_axes.txt (pixel-centre coordinates, x then y: both 0, 5, ..., 250)
# and kppm_bei_corner.json.
suppressMessages(library(spatstat.model))
jnum <- function(x) trimws(format(x, digits = 17))
W <- owin(c(0, 250), c(0, 250))
X <- bei[W]
write.csv(data.frame(x = X$x, y = X$y), "spatstat_bei_corner.csv", row.names = FALSE)
keep_c <- which(bei.extra$elev$xcol <= 250); keep_r <- which(bei.extra$elev$yrow <= 250)
for (cv in c("elev", "grad"))
  write.table(bei.extra[[cv]]$v[keep_r, keep_c], sprintf("bei_corner_%s.txt", cv), row.names = FALSE, col.names = FALSE)
writeLines(paste(bei.extra$elev$xcol[keep_c], collapse = " "), "bei_corner_axes.txt")
fits <- c()
for (cl in c("Thomas", "MatClust"))
  for (m in list(c("mincon", "K"), c("mincon", "pcf"), c("palm", "K"), c("clik2", "K"))) {
    fit <- kppm(X ~ elev + grad, cl, data = bei.extra, method = m[1], statistic = m[2])
    fits <- c(fits, sprintf('{"clusters": "%s", "method": "%s", "statistic": "%s", "kappa": %s, "scale": %s, "beta": [%s]}',
                            cl, m[1], m[2], jnum(fit$clustpar[["kappa"]]), jnum(fit$clustpar[["scale"]]),
                            paste(jnum(coef(fit$po)), collapse = ", ")))
  }
writeLines(sprintf('{"pattern": "bei[owin(c(0,250), c(0,250))]", "n": %d, "command": "kppm(X ~ elev + grad, clusters, data = bei.extra, method, statistic)",\n "fits": [\n  %s\n ]}',
                   npoints(X), paste(fits, collapse = ",\n  ")), "kppm_bei_corner.json")
