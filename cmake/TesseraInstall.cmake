# TesseraInstall.cmake — `cmake --install` puts the tessera program, the
# library (libtessera.a, all of the engine) and include/tessera.h under the
# prefix, with a CMake package (find_package(tessera) gives the target
# tessera::tessera, its MPI and HDF5 dependencies included) and a
# pkg-config file (pkg-config --cflags --libs tessera). jobs/c_example
# builds against the installed library with either.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set_target_properties(tessera_core PROPERTIES OUTPUT_NAME tessera EXPORT_NAME tessera)
# Consumers see the public header only: the installed tree has include/.
set_property(TARGET tessera_core PROPERTY INTERFACE_INCLUDE_DIRECTORIES
  "$<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/include>" "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>"
  ${HDF5_C_INCLUDE_DIRS})

install(TARGETS tessera RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS tessera_core tessera_warnings EXPORT tesseraTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES include/tessera.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(TESSERA_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/tessera)
install(EXPORT tesseraTargets NAMESPACE tessera:: DESTINATION ${TESSERA_CMAKE_DIR})
set(TESSERA_CONFIG_HAVE_CAIRO ${CAIRO_FOUND})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/tesseraConfig.cmake.in
  ${CMAKE_BINARY_DIR}/tesseraConfig.cmake INSTALL_DESTINATION ${TESSERA_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/tesseraConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/tesseraConfig.cmake ${CMAKE_BINARY_DIR}/tesseraConfigVersion.cmake
  DESTINATION ${TESSERA_CMAKE_DIR})

if(CAIRO_FOUND)
  set(TESSERA_PC_REQUIRES "mpi-c hdf5-mpi cairo")
else()
  set(TESSERA_PC_REQUIRES "mpi-c hdf5-mpi")
endif()
# Relocatable: the prefix is found from where the .pc file lies.
file(RELATIVE_PATH TESSERA_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${CMAKE_SOURCE_DIR}/cmake/tessera.pc.in ${CMAKE_BINARY_DIR}/tessera.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/tessera.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
