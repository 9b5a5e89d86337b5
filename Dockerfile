# Multi-stage build of a static, non-root loa image.
#
#   docker build -t loa .
#   docker run --rm -e LOA_DATABASE_URL=postgres://... -p 8080:8080 loa
#
# The binary is built exactly as `CGO_ENABLED=0 go build -trimpath ./cmd/loa`; the time
# zone data is compiled in (time/tzdata), and CA certificates come from the build stage.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/loa ./cmd/loa

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/loa /loa
# nobody:nogroup; the image has no shell and no writable paths.
USER 65534:65534
EXPOSE 8080
ENV LOA_HTTP_ADDR=:8080 LOA_LOG_FORMAT=json
ENTRYPOINT ["/loa"]
CMD ["serve"]
